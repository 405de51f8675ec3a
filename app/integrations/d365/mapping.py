"""Meridian lead -> Dataverse lead columns (seed 003 §2.1 step 3, §2.2). Pure functions: no database, no
HTTP, no clock, so every rule here is a plain unit test. Custom columns carry the publisher prefix of the
connection (`new_hunterscore`); standard columns keep Dataverse's names and length limits."""

from app.integrations.d365.dto import LeadDTO

# Dataverse's maximum lengths of the standard lead columns we fill.
LIMITS = {"subject": 300, "companyname": 100, "firstname": 50, "lastname": 50, "emailaddress1": 100, "websiteurl": 200}
CUSTOM_TEXT_LIMIT = 2000
SEGMENT_LABELS = {
    "enterprise": "Enterprise",
    "mid_market": "Mid-market",
    "smb": "SMB",
    "public_sector": "Public sector",
}

# The minimal payload of seed 003 §2.1 step 2: what the push reads from a lead, nothing more.
PAYLOAD_FIELDS = (
    "domain",
    "company_name",
    "contact_name",
    "contact_email",
    "segment",
    "readiness_score",
    "priority_score",
    "provider",
    "tenant_size",
    "infrastructure_summary",
    "is_partner_center_referral",
    "referral_id",
)


def lead_payload(lead) -> dict:
    """The minimal payload from a Lead (or anything with those attributes)."""
    return {name: getattr(lead, name, None) for name in PAYLOAD_FIELDS}


def normalize_domain(domain: str) -> str:
    value = (domain or "").strip().lower()
    for scheme in ("https://", "http://"):
        if value.startswith(scheme):
            value = value[len(scheme) :]
    value = value.split("/")[0]
    return value[4:] if value.startswith("www.") else value


def split_contact_name(name: str) -> tuple[str, str]:
    """'Anna Maria Schmidt' -> ('Anna Maria', 'Schmidt'); one word is the last name (required in Dynamics)."""
    parts = (name or "").split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def _clip(value, limit: int):
    if value is None:
        return None
    text = str(value).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _score(value) -> int | None:
    if value is None:
        return None
    return max(0, min(100, int(value)))


def to_dynamics(payload: dict, field_prefix: str = "new_") -> LeadDTO:
    """The DTO for one lead. Empty optional values are sent as null so a cleared field clears in Dynamics
    too (an upsert that omitted them would leave stale values behind)."""
    domain = normalize_domain(payload["domain"])
    company = payload.get("company_name") or domain
    first, last = split_contact_name(payload.get("contact_name") or "")
    p = field_prefix
    fields = {
        "subject": _clip(f"SAP opportunity – {company}", LIMITS["subject"]),
        "companyname": _clip(company, LIMITS["companyname"]),
        "firstname": _clip(first, LIMITS["firstname"]) or None,
        "lastname": _clip(last or company, LIMITS["lastname"]),
        "emailaddress1": _clip(payload.get("contact_email"), LIMITS["emailaddress1"]) or None,
        "websiteurl": _clip(f"https://{domain}", LIMITS["websiteurl"]),
        f"{p}hunterscore": _score(payload.get("readiness_score")),
        f"{p}hunterpriority": _score(payload.get("priority_score")),
        f"{p}huntersegment": SEGMENT_LABELS.get(payload.get("segment"), payload.get("segment") or None),
        f"{p}hunterprovider": _clip(payload.get("provider"), 100) or None,
        f"{p}huntertenantsize": _clip(payload.get("tenant_size"), 50) or None,
        f"{p}hunterinfrastructure": _clip(payload.get("infrastructure_summary"), CUSTOM_TEXT_LIMIT) or None,
        f"{p}hunterpartnerreferral": bool(payload.get("is_partner_center_referral")),
        f"{p}hunterreferralid": _clip(payload.get("referral_id"), 100) or None,
    }
    return LeadDTO(key=domain, fields=fields)


def lead_to_dto(lead, field_prefix: str = "new_") -> LeadDTO:
    return to_dynamics(lead_payload(lead), field_prefix)


def upsert_path(alternate_key: str, key_value: str) -> str:
    """leads(new_meridiandomain='contoso.com'); a quote in the value is doubled (OData string literal)."""
    return f"leads({alternate_key}='{key_value.replace(chr(39), chr(39) * 2)}')"


def lead_id_from_entity_id(entity_id: str | None) -> str | None:
    """'https://org.crm.dynamics.com/api/data/v9.2/leads(7d5b...)' -> '7d5b...'."""
    if not entity_id or "(" not in entity_id:
        return None
    inner = entity_id.rsplit("(", 1)[1].rstrip(")")
    return inner if "=" not in inner else None
