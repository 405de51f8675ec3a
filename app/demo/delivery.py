"""Demo delivery data: the Explore output and test cycles of the S/4HANA Finance project, so a consultant
can walk from a fit/gap workshop to a test cycle in the demo tenant."""

from datetime import timedelta

from app.extensions import db
from app.services import (
    backlog_service,
    defect_service,
    requirement_service,
    testing_case_service,
    testing_cycle_service,
)
from app.utils.clock import utcnow

# title, module, scope item, fit_gap, priority, status, workshop, description
REQUIREMENTS = [
    (
        "Three-way match for stock purchase orders",
        "MM",
        "J45",
        "fit",
        "high",
        "approved",
        "WS-P2P-01",
        "<p>Invoices are checked against the purchase order and the goods receipt; tolerance 2% or EUR 50.</p>",
    ),
    (
        "Turkish cheque and promissory note portfolio",
        "FI",
        "J58",
        "gap",
        "critical",
        "approved",
        "WS-FI-03",
        "<p>Customer cheques (<strong>çek</strong>) and promissory notes (<strong>senet</strong>) are tracked in a "
        "portfolio until they are cleared by the bank.</p>",
    ),
    (
        "e-Invoice (e-Fatura) integration with the GİB portal",
        "FI",
        "1J2",
        "gap",
        "critical",
        "in_review",
        "WS-FI-04",
        "<p>Outgoing invoices are sent to the revenue administration through the integrator; incoming ones are "
        "received automatically.</p>",
    ),
    (
        "Automatic clearing of GR/IR accounts",
        "FI",
        "J58",
        "fit",
        "medium",
        "realized",
        "WS-FI-02",
        "<p>Monthly automatic clearing of the GR/IR clearing account with F.13.</p>",
    ),
    (
        "Cost center planning by quarter",
        "CO",
        "J54",
        "partial_fit",
        "medium",
        "approved",
        "WS-CO-01",
        "<p>Plan primary costs per cost centre and quarter; upload from the budgeting spreadsheet.</p>",
    ),
    (
        "Profitability analysis by sales channel",
        "CO",
        "1B6",
        "partial_fit",
        "high",
        "draft",
        "WS-CO-02",
        "<p>Margin analysis per channel (retail, wholesale, export) in the Universal Journal.</p>",
    ),
    (
        "Credit limit check on sales orders",
        "SD",
        "BD9",
        "fit",
        "high",
        "verified",
        "WS-O2C-01",
        "<p>Block sales orders above the customer's credit limit; release by credit management.</p>",
    ),
    (
        "Customer-specific pricing exit for export rebates",
        "SD",
        "BD9",
        "gap",
        "medium",
        "approved",
        "WS-O2C-02",
        "<p>Export customers get a rebate depending on the destination country and the incoterm.</p>",
    ),
    (
        "Fixed asset depreciation per Turkish tax law",
        "FI",
        "J62",
        "partial_fit",
        "high",
        "in_review",
        "WS-FI-05",
        "<p>Parallel depreciation area for the tax books; inflation adjustment (enflasyon muhasebesi).</p>",
    ),
    (
        "Bank statement import (MT940)",
        "FI",
        "BFB",
        "fit",
        "medium",
        "approved",
        "WS-FI-06",
        "<p>Daily MT940 statements from four banks are imported and auto-posted.</p>",
    ),
    (
        "Legal consolidation reporting pack",
        "FI",
        "1SG",
        "gap",
        "low",
        "rejected",
        "WS-FI-07",
        "<p>Out of scope for wave 1: handled in group reporting later.</p>",
    ),
    (
        "Purchase requisition approval workflow",
        "MM",
        "J45",
        "partial_fit",
        "medium",
        "draft",
        "WS-P2P-02",
        "<p>Two-step approval above EUR 10,000 with substitution during holidays.</p>",
    ),
]

BACKLOG = [  # wricef_type, title, module, status, effort_days, requirement index
    ("enhancement", "Cheque portfolio status management", "FI", "build", 12, 1),
    ("interface", "e-Fatura integrator connection", "FI", "design", 20, 2),
    ("report", "Cheque maturity report", "FI", "new", 4, 1),
    ("enhancement", "Export rebate pricing routine", "SD", "unit_test", 6, 7),
    ("form", "Turkish invoice print form", "SD", "done", 3, 2),
    ("workflow", "PR approval with substitution", "MM", "new", 5, 11),
    ("conversion", "Open customer cheques migration", "FI", "design", 4, 1),
]

LOGISTICS_BACKLOG = [  # wricef_type, title, module, effort_days, requirement index (S4-LOG, live)
    ("enhancement", "Shelf-life check on cross-plant goods issues", "MM", 6, 2),
    ("form", "SSCC handling-unit label", "EWM", 4, 0),
    ("interface", "Carrier DESADV IDoc interface", "SD", 9, 1),
    ("enhancement", "Route determination for Austrian deliveries", "SD", 5, 1),
]

CASES = [  # title, module, requirement indexes, steps, expected result
    (
        "Post a MIRO invoice within tolerance",
        "MM",
        [0],
        "1. MIRO\n2. Enter the PO\n3. Post",
        "Invoice posted, no block",
    ),
    ("Block an invoice above tolerance", "MM", [0], "1. MIRO with +5% price\n2. Post", "Invoice blocked for payment"),
    (
        "Receive a customer cheque into the portfolio",
        "FI",
        [1],
        "1. Post cheque receipt\n2. Check portfolio",
        "Cheque in portfolio",
    ),
    ("Send a cheque to the bank for collection", "FI", [1], "1. Select cheque\n2. Send to bank", "Status 'at bank'"),
    ("Run GR/IR automatic clearing", "FI", [3], "1. F.13 test run\n2. Productive run", "Open items cleared"),
    ("Credit block on a sales order", "SD", [6], "1. VA01 above the limit", "Order blocked"),
    ("Import an MT940 statement", "FI", [9], "1. FF_5 with the sample file", "Statement posted, items cleared"),
    ("Export rebate on a DAP order", "SD", [7], "1. VA01 export customer, DAP", "Rebate condition found"),
]


def build_delivery_demo(finance, users: dict, logistics=None) -> None:
    _finance(finance, users)
    if logistics is not None:
        _logistics(logistics, users)


def _logistics(logistics, users: dict) -> None:
    """The live logistics project: verified requirements and a regression cycle that the customer's key
    user (customer@demo.test, a member) runs after each hypercare fix."""
    reqs = [
        requirement_service.build_requirement(
            logistics,
            {
                "title": title,
                "module": module,
                "fit_gap": fit_gap,
                "priority": "high",
                "status": "draft",
                "workshop_ref": workshop,
                "owner_id": users["consultant@demo.test"].id,
            },
        )
        for title, module, fit_gap, workshop in (
            ("Goods receipt with handling units", "EWM", "fit", "WS-LOG-01"),
            ("Delivery split by route and carrier", "SD", "partial_fit", "WS-LOG-02"),
            ("Batch determination FEFO for food products", "MM", "fit", "WS-LOG-03"),
        )
    ]
    db.session.flush()
    for requirement in reqs:
        for status in ("in_review", "approved", "realized", "verified"):
            requirement.status = status
    cases = [
        testing_case_service.build_case(
            logistics, {"title": title, "module": module, "expected_result": expected}, [reqs[index].id]
        )
        for title, module, expected, index in (
            ("Receive a pallet with HU labels", "EWM", "Stock in the putaway bin", 0),
            ("Create deliveries for two routes", "SD", "Two deliveries, one per route", 1),
            ("Pick the batch expiring first", "MM", "Oldest batch proposed", 2),
        )
    ]
    db.session.flush()
    for wricef_type, title, module, effort, index in LOGISTICS_BACKLOG:  # built and live since go-live
        backlog_service.create_item(
            logistics,
            {
                "wricef_type": wricef_type,
                "title": title,
                "module": module,
                "status": "done",
                "effort_days": effort,
                "requirement_id": reqs[index].id,
                "assignee_id": users["consultant@demo.test"].id,
            },
        )
    cycle = testing_cycle_service.create_cycle(
        logistics, {"name": "Regression – hypercare fixes", "cycle_type": "regression", "start_date": utcnow().date()}
    )
    testing_cycle_service.add_cases(logistics, cycle, [c.id for c in cases])


def _finance(finance, users: dict) -> None:
    consultant, fi_consultant = users["consultant@demo.test"], users["fi.consultant@demo.test"]
    requirements = []
    for _index, (title, module, scope, fit_gap, priority, status, workshop, description) in enumerate(REQUIREMENTS):
        requirement = requirement_service.build_requirement(
            finance,
            {
                "title": title,
                "module": module,
                "scope_item": scope,
                "fit_gap": fit_gap,
                "priority": priority,
                "status": status,
                "workshop_ref": workshop,
                "description": description,
                "owner_id": (fi_consultant if module in ("FI", "CO") else consultant).id,
            },
        )
        requirements.append(requirement)
    db.session.flush()
    for wricef_type, title, module, status, effort, req_index in BACKLOG:
        backlog_service.create_item(
            finance,
            {
                "wricef_type": wricef_type,
                "title": title,
                "module": module,
                "status": status,
                "effort_days": effort,
                "requirement_id": requirements[req_index].id,
                "assignee_id": fi_consultant.id if module == "FI" else consultant.id,
            },
        )
    cases = []
    for title, module, req_indexes, steps, expected in CASES:
        cases.append(
            testing_case_service.build_case(
                finance,
                {"title": title, "module": module, "steps": steps, "expected_result": expected},
                [requirements[i].id for i in req_indexes],
            )
        )
    db.session.flush()
    today = utcnow().date()
    sit = testing_cycle_service.create_cycle(
        finance,
        {
            "name": "SIT 1 – Finance core",
            "cycle_type": "sit",
            "start_date": today - timedelta(days=10),
            "end_date": today + timedelta(days=4),
        },
    )
    uat = testing_cycle_service.create_cycle(
        finance,
        {
            "name": "UAT – Key users",
            "cycle_type": "uat",
            "start_date": today + timedelta(days=14),
            "end_date": today + timedelta(days=28),
        },
    )
    executions = testing_cycle_service.add_cases(finance, sit, [c.id for c in cases])
    testing_cycle_service.add_cases(finance, uat, [c.id for c in cases[:5]])
    results = ["passed", "passed", "passed", "failed", "passed"]  # the rest are still to run
    for execution, status in zip(executions, results):
        defect = None
        if status == "failed":
            defect = {
                "title": "Cheque status not updated after bank collection",
                "severity": "p2",
                "description": "<p>The portfolio still shows 'in portfolio' after sending to the bank.</p>",
            }
        testing_cycle_service.record_result(
            finance, sit, execution, {"status": status, "notes": "", **({"new_defect": defect} if defect else {})}, None
        )
    defect_service.create_defect(
        finance,
        {
            "title": "MT940 sample file rejected: wrong field 86 format",
            "module": "FI",
            "severity": "p3",
            "status": "open",
            "assignee_id": fi_consultant.id,
        },
    )
