"""The pure Meridian -> Dataverse lead mapping (seed 003 §2.3)."""

from types import SimpleNamespace

from app.integrations.d365 import mapping

LEAD = SimpleNamespace(
    domain="WWW.Rheinwerk-Maschinenbau.DE",
    company_name="Rheinwerk Maschinenbau GmbH",
    contact_name="Anna Maria Schmidt",
    contact_email="anna@rheinwerk-maschinenbau.de",
    segment="enterprise",
    readiness_score=82,
    priority_score=140,
    provider="Microsoft 365",
    tenant_size="large",
    infrastructure_summary="ECC 6.0 EHP7 on Oracle; M365; Azure AD",
    is_partner_center_referral=True,
    referral_id="PC-2024-118",
    status="new",
    owner_id=None,
)


def test_standard_and_prefixed_custom_columns():
    dto = mapping.lead_to_dto(LEAD, "cr7a1_")
    f = dto.fields
    assert dto.key == "rheinwerk-maschinenbau.de"
    assert (f["firstname"], f["lastname"]) == ("Anna Maria", "Schmidt")
    assert f["companyname"] == "Rheinwerk Maschinenbau GmbH" and f["websiteurl"] == "https://rheinwerk-maschinenbau.de"
    assert f["cr7a1_hunterscore"] == 82 and f["cr7a1_hunterpriority"] == 100  # clamped to 0..100
    assert f["cr7a1_huntersegment"] == "Enterprise" and f["cr7a1_hunterreferralid"] == "PC-2024-118"
    assert f["cr7a1_hunterpartnerreferral"] is True
    assert not any(k.startswith("new_") for k in f)


def test_only_the_minimal_payload_is_read():
    assert set(mapping.lead_payload(LEAD)) == set(mapping.PAYLOAD_FIELDS)
    assert "status" not in mapping.PAYLOAD_FIELDS and "owner_id" not in mapping.PAYLOAD_FIELDS


def test_empty_values_clear_and_one_word_names_are_last_names():
    lead = SimpleNamespace(
        **{**vars(LEAD), "contact_name": "Yilmaz", "contact_email": "", "referral_id": None, "provider": ""}
    )
    f = mapping.lead_to_dto(lead).fields
    assert (f["firstname"], f["lastname"]) == (None, "Yilmaz")
    assert f["emailaddress1"] is None and f["new_hunterreferralid"] is None and f["new_hunterprovider"] is None


def test_no_contact_uses_the_company_as_last_name_and_lengths_are_clipped():
    lead = SimpleNamespace(**{**vars(LEAD), "contact_name": "", "company_name": "X" * 150})
    f = mapping.lead_to_dto(lead).fields
    assert len(f["companyname"]) == 100 and f["companyname"].endswith("…") and len(f["lastname"]) == 50


def test_upsert_path_escapes_quotes_and_entity_id_parsing():
    assert mapping.upsert_path("new_meridiandomain", "o'neil.ie") == "leads(new_meridiandomain='o''neil.ie')"
    assert mapping.lead_id_from_entity_id("https://o/api/data/v9.2/leads(7d5b-1)") == "7d5b-1"
    assert mapping.lead_id_from_entity_id(None) is None
    assert mapping.normalize_domain("https://www.Example.com/about") == "example.com"
