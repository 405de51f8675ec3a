"""The demo tenant's pre-sales pipeline: SAP prospects scored by the core, two already in Dynamics 365
(the demo connection points at the sandbox `make run` starts), one whose last push failed."""

from datetime import timedelta

from app.extensions import db
from app.models.leads import Lead
from app.utils.clock import utcnow

PROSPECTS = [
    (
        "rheinwerk-maschinenbau.de",
        "Rheinwerk Maschinenbau GmbH",
        "Anna Schmidt",
        "enterprise",
        86,
        91,
        "Microsoft 365",
        "large",
        "SAP ECC 6.0 EHP7 on Oracle 19c; Azure AD; 14 plants",
        False,
        None,
    ),
    (
        "anatolia-foods.com.tr",
        "Anatolia Foods A.Ş.",
        "Elif Kaya",
        "enterprise",
        78,
        84,
        "Microsoft 365",
        "large",
        "SAP ECC 6.0 on SQL Server; S/4HANA RISE evaluation started",
        True,
        "PC-2026-0412",
    ),
    (
        "nordlicht-logistik.de",
        "Nordlicht Logistik GmbH",
        "Jonas Berg",
        "mid_market",
        66,
        72,
        "Google Workspace",
        "medium",
        "SAP Business One; warehouse on Manhattan WMS",
        False,
        None,
    ),
    (
        "baltic-pharma.lt",
        "Baltic Pharma UAB",
        "Rūta Petrauskienė",
        "mid_market",
        71,
        63,
        "Microsoft 365",
        "medium",
        "Legacy Navision 2013; GxP validation needs",
        True,
        "PC-2026-0388",
    ),
    (
        "iberia-components.es",
        "Iberia Components S.L.",
        "Javier Morales",
        "smb",
        48,
        41,
        "On-premises Exchange",
        "small",
        "Sage 200; Excel-based MRP",
        False,
        None,
    ),
    (
        "stadtwerke-lindau.de",
        "Stadtwerke Lindau",
        "Claudia Weiss",
        "public_sector",
        59,
        55,
        "Microsoft 365",
        "medium",
        "SAP IS-U on HANA 2.0; ECC end of maintenance 2027",
        False,
        None,
    ),
]


def build_leads_demo(tenant_id, owner_id) -> None:
    now = utcnow()
    for index, (
        domain,
        company,
        contact,
        segment,
        readiness,
        priority,
        provider,
        size,
        infra,
        referral,
        referral_id,
    ) in enumerate(PROSPECTS):
        first = contact.split()[0].lower()
        lead = Lead(
            tenant_id=tenant_id,
            domain=domain,
            company_name=company,
            contact_name=contact,
            contact_email=f"{first}@{domain}",
            segment=segment,
            readiness_score=readiness,
            priority_score=priority,
            provider=provider,
            tenant_size=size,
            infrastructure_summary=infra,
            is_partner_center_referral=referral,
            referral_id=referral_id,
            owner_id=owner_id,
            status="qualified" if priority >= 70 else "new",
        )
        if index < 2:  # already pushed; the sandbox starts empty, so a push from the demo re-creates them
            lead.d365_sync_status, lead.d365_sync_last_at = "synced", now - timedelta(days=index + 1)
            lead.d365_lead_id = f"5f1c2a7e-0d3b-4c8e-9a61-00000000000{index + 1}"
        elif index == 3:
            lead.d365_sync_status = "error"
            lead.d365_sync_error = (
                "Rejected by Dynamics 365: A validation error occurred. The value of "
                "'emailaddress1' is not a valid e-mail address. (HTTP 400). (after 1 attempt(s))"
            )
        db.session.add(lead)
    db.session.commit()
