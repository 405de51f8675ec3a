"""The demo tenant's cutover: the go-live weekend runbook of S4-FIN (an ECC to S/4HANA Finance move for a
Turkish food company) with 60 activities, its go/no-go checklist, and Mock 1, a finished rehearsal three
weeks ago whose actual durations are waiting to be adopted.

The plan follows the usual shape of an SAP cutover weekend: freeze and period close in the legacy system,
extraction, loads with the Migration Cockpit in dependency order (business partners before open items),
technical and business reconciliation, system settings, interface switch-over, smoke tests, the go/no-go
call and the go-live. The weekend starts on the Friday before go-live at 18:00 Istanbul time; inbound
interfaces may only stop after the last bank run (20:00), which drives the critical path, and the security
team assigns production roles from Saturday 09:00 (a fixed start with slack to spare).

Mock 1 is built from the plan itself: the engine schedules the plan with the durations the rehearsal
really took (seeded, so every demo is the same), anchored at the rehearsal's start, and those times are
stored as the actuals. A few activities are skipped in a rehearsal (announcements, decommissioning).
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import CutoverActivity, CutoverCheckItem, CutoverRun, CutoverRunActivity, CutoverRunbook
from app.models.run_status import SUCCEEDED
from app.services import numbering
from app.services.runbooks.graph import engine_activities
from app.services.runbooks.scheduling import Activity, schedule
from app.utils.clock import utcnow

OWNERS = {
    "pm": "pm@demo.test",
    "data": "consultant@demo.test",
    "finance": "fi.consultant@demo.test",
    "basis": "support3@demo.test",
    "integration": "support2@demo.test",
    "security": "admin@demo.test",
}

# One activity per line: code | title | team | owner | kind | system | minutes | predecessors | fixed start
# (days after the Friday, local time). A table, because a planner reads it like the spreadsheet it came from.
PLAN_TABLE = """
PRE-01 | Cutover weekend starts | PMO | pm | milestone |  | 0 |  | 0 18:00
PRE-02 | Go/no-go call: start the cutover | PMO | pm | checkpoint |  | 30 | PRE-01
PRE-03 | Announce system downtime to all users | PMO | pm | task |  | 15 | PRE-02
PRE-04 | Import the final transports into production | Basis | basis | task | S/4HANA | 120 | PRE-02
PRE-05 | Lock ECC users except the cutover team | Security | security | task | ECC | 30 | PRE-03
PRE-06 | Stop ECC batch jobs | Basis | basis | task | ECC | 30 | PRE-05
PRE-07 | Stop inbound interfaces after the last bank run | Integration | integration | task | SAP PO | 30 | PRE-05 | 0 20:00
PRE-08 | Stop outbound interfaces | Integration | integration | task | SAP PO | 30 | PRE-07
PRE-09 | Drain IDoc queues, clear stuck messages | Integration | integration | task | SAP PO | 45 | PRE-08
PRE-10 | Clear GR/IR account in ECC | Finance | finance | task | ECC | 60 | PRE-06 PRE-09
PRE-11 | Final depreciation run in ECC | Finance | finance | task | ECC | 90 | PRE-06
PRE-12 | Foreign currency valuation | Finance | finance | task | ECC | 60 | PRE-10
PRE-13 | Close ECC posting periods | Finance | finance | task | ECC | 30 | PRE-11 PRE-12
PRE-14 | Pre-load reports: trial balance, open items, asset register | Finance | finance | task | ECC | 90 | PRE-13
PRE-15 | Back up the ECC production database | Basis | basis | task | ECC | 240 | PRE-14
MIG-01 | Extract G/L balances | Data migration | data | task | ECC | 60 | PRE-14
MIG-02 | Extract customer open items | Data migration | data | task | ECC | 60 | PRE-14
MIG-03 | Extract supplier open items | Data migration | data | task | ECC | 60 | PRE-14
MIG-04 | Extract fixed assets | Data migration | data | task | ECC | 60 | PRE-14
MIG-05 | Extract open purchase orders | Data migration | data | task | ECC | 45 | PRE-14
MIG-06 | Extract open sales orders | Data migration | data | task | ECC | 45 | PRE-14
MIG-07 | Extract stock balances | Data migration | data | task | ECC | 45 | PRE-14
MIG-08 | Fill the Migration Cockpit templates and value mappings | Data migration | data | task | Migration Cockpit | 240 | MIG-01 MIG-02 MIG-03 MIG-04 MIG-05 MIG-06 MIG-07
MIG-09 | Load banks | Data migration | data | task | S/4HANA | 30 | MIG-08 PRE-04
MIG-10 | Load customers (business partners) | Data migration | data | task | S/4HANA | 240 | MIG-09
MIG-11 | Load suppliers (business partners) | Data migration | data | task | S/4HANA | 240 | MIG-09
MIG-12 | Load G/L account balances | Data migration | data | task | S/4HANA | 60 | MIG-08 PRE-04
MIG-13 | Load customer open items | Data migration | data | task | S/4HANA | 180 | MIG-10 MIG-12
MIG-14 | Load supplier open items | Data migration | data | task | S/4HANA | 180 | MIG-11 MIG-12
MIG-15 | Load fixed assets with balances | Data migration | data | task | S/4HANA | 240 | MIG-12
MIG-16 | Load open purchase orders | Data migration | data | task | S/4HANA | 150 | MIG-11
MIG-17 | Load open sales orders | Data migration | data | task | S/4HANA | 150 | MIG-10
MIG-18 | Load stock balances | Data migration | data | task | S/4HANA | 180 | MIG-12
REC-01 | Technical reconciliation of load counts | Data migration | data | task | S/4HANA | 90 | MIG-13 MIG-14 MIG-15 MIG-16 MIG-17 MIG-18
REC-02 | Reconcile the trial balance, ECC against S/4HANA | Finance | finance | task | S/4HANA | 180 | REC-01
REC-03 | Reconcile customer and supplier open items | Finance | finance | task | S/4HANA | 120 | REC-01
REC-04 | Reconcile the fixed asset register | Finance | finance | task | S/4HANA | 120 | REC-01
REC-05 | Reconcile stock values with the ledger | Finance | finance | task | S/4HANA | 60 | REC-01
REC-06 | Finance signs the reconciliation off | Finance | finance | checkpoint |  | 30 | REC-02 REC-03 REC-04 REC-05
SYS-01 | Open the posting periods in S/4HANA | Finance | finance | task | S/4HANA | 15 | REC-06
SYS-02 | Set the number ranges | Finance | finance | task | S/4HANA | 30 | PRE-04
SYS-03 | Assign production roles to end users | Security | security | task | S/4HANA | 60 | PRE-04 | 1 09:00
SYS-04 | Schedule the S/4HANA background jobs | Basis | basis | task | S/4HANA | 60 | PRE-04
SYS-05 | Activate output management and printers | Basis | basis | task | S/4HANA | 30 | PRE-04
INT-01 | Point the interfaces at S/4HANA | Integration | integration | task | SAP Integration Suite | 60 | PRE-09 PRE-04
INT-02 | Test bank connectivity (payment files, statements) | Integration | integration | task | SAP Integration Suite | 45 | INT-01
INT-03 | Test the e-invoice (e-Fatura) connection | Integration | integration | task | SAP Integration Suite | 45 | INT-01
VAL-01 | Smoke test: post a journal entry | Finance | finance | task | S/4HANA | 30 | SYS-01 SYS-02
VAL-02 | Smoke test: order to cash | Logistics | data | task | S/4HANA | 60 | SYS-01 SYS-02 SYS-05
VAL-03 | Smoke test: procure to pay | Logistics | data | task | S/4HANA | 60 | SYS-01 SYS-02
VAL-04 | Key users validate master data samples | Business | finance | task | S/4HANA | 180 | REC-06 SYS-03
VAL-05 | Test outputs: invoices, payment advices | Business | finance | task | S/4HANA | 30 | VAL-02 INT-03
VAL-06 | Smoke tests passed | PMO | pm | milestone |  | 0 | VAL-01 VAL-02 VAL-03 VAL-04 VAL-05 INT-02 SYS-04
GNG-01 | Go/no-go decision meeting | PMO | pm | checkpoint |  | 60 | VAL-06 PRE-15
GNG-02 | Start the inbound interfaces | Integration | integration | task | SAP Integration Suite | 30 | GNG-01
GNG-03 | Set ECC to read-only for the archive | Basis | basis | task | ECC | 60 | GNG-01
GNG-04 | Unlock the users in S/4HANA | Security | security | task | S/4HANA | 30 | GNG-01
GNG-05 | Announce the go-live to the business | PMO | pm | task |  | 15 | GNG-04
GNG-06 | Hypercare war room opens | PMO | pm | milestone |  | 0 | GNG-04 GNG-02
GNG-07 | Go-live | PMO | pm | milestone |  | 0 | GNG-05 GNG-06 GNG-03
"""


def _plan() -> list[tuple]:
    rows = []
    for line in PLAN_TABLE.strip().splitlines():
        cells = [cell.strip() for cell in line.split("|")] + [""] * 9
        code, title, team, owner, kind, system, minutes, preds, fixed = cells[:9]
        day, _, hhmm = fixed.partition(" ")
        rows.append(
            (code, title, team, owner, kind, system, int(minutes), preds.split(), (int(day), hhmm) if fixed else None)
        )
    return rows


PLAN = _plan()
SKIPPED_IN_MOCK = {
    "PRE-03": "No users to warn in a rehearsal",
    "GNG-05": "Rehearsal",
    "GNG-03": "ECC stays open until go-live",
}
NOTES = {
    "MIG-13": "Duplicate business partner keys from two company codes; reloaded after the fix.",
    "PRE-15": "Backup ran on the slower tape library.",
    "REC-02": "Difference of 1,240.17 TRY traced to a rounding setting; fixed in the template.",
}
CHECKLIST = [
    ("Mock cutover finished inside the weekend window", "pm", "met", "https://wiki.anatolia.example/cutover/mock1"),
    ("Trial balance reconciled without unexplained differences", "finance", "open", ""),
    ("Customer and supplier open items reconciled", "finance", "open", ""),
    ("No open P1/P2 defects from integration and user acceptance tests", "data", "open", ""),
    ("Bank and e-invoice connections tested end to end", "integration", "open", ""),
    ("Production roles assigned and tested with key users", "security", "open", ""),
    ("Rollback plan reviewed (ECC restore from the Friday backup)", "basis", "open", ""),
]


def _friday_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7 or 7)


def build_cutover_demo(project, users: dict) -> None:
    """`project` is S4-FIN (go-live ahead), `users` the demo users by e-mail."""
    zone = ZoneInfo(project.timezone or "UTC")
    friday = _friday_before(project.go_live_date)

    def local(day_offset: int, hhmm: str) -> datetime:
        return datetime.combine(friday + timedelta(days=day_offset), time.fromisoformat(hhmm), zone).astimezone(UTC)

    people = {key: users[email] for key, email in OWNERS.items()}
    author = people["pm"].id
    runbook = CutoverRunbook(
        project_id=project.id,
        name="Go-live weekend",
        description="Cutover from ECC 6.0 to S/4HANA Finance. Rehearsed once; Mock 2 is planned two weeks before go-live.",
        planned_start=local(0, "18:00"),
        created_by=author,
    )
    db.session.add(runbook)
    db.session.flush()
    rows: dict[str, CutoverActivity] = {}
    for position, (code, title, team, owner, kind, system, minutes, _preds, fixed) in enumerate(PLAN):
        rows[code] = CutoverActivity(
            runbook_id=runbook.id,
            code=code,
            position=position,
            title=title,
            team=team,
            owner_id=people[owner].id,
            kind=kind,
            system=system,
            duration_minutes=minutes,
            planned_start=local(*fixed) if fixed else None,
            depends_on=[],
            created_by=author,
        )
    db.session.add_all(rows.values())
    db.session.flush()
    for code, *_fields, preds, _fixed in PLAN:
        rows[code].depends_on = [str(rows[p].id) for p in preds]
    for position, (criterion, owner, status, evidence) in enumerate(CHECKLIST):
        db.session.add(
            CutoverCheckItem(
                runbook_id=runbook.id,
                position=position,
                criterion=criterion,
                owner_id=people[owner].id,
                evidence_url=evidence,
                status=status,
                signed_off_by_id=people[owner].id if status != "open" else None,
                signed_off_at=utcnow() - timedelta(days=18) if status != "open" else None,
                created_by=author,
            )
        )
    mock_friday = _friday_before(utcnow().date() - timedelta(days=14))
    _mock_one(runbook, [rows[p[0]] for p in PLAN], datetime.combine(mock_friday, time(18), zone).astimezone(UTC))
    db.session.commit()


def _mock_one(runbook: CutoverRunbook, activities: list[CutoverActivity], started: datetime) -> None:
    """Mock 1: the plan as it really went, from a Friday evening two to three weeks ago (module docstring)."""
    rng = random.Random(18)
    plan = engine_activities(activities)
    took: dict[str, int] = {}
    for activity in activities:
        if activity.code in SKIPPED_IN_MOCK or activity.duration_minutes == 0:
            took[str(activity.id)] = 0
        elif activity.code in NOTES:
            took[str(activity.id)] = round(activity.duration_minutes * 1.6)
        else:
            took[str(activity.id)] = max(5, round(activity.duration_minutes * rng.uniform(0.75, 1.3) / 5) * 5)
    shift = started - runbook.planned_start
    real = schedule(
        [
            Activity(
                a.id,
                took[a.id],
                a.depends_on,
                a.planned_start + shift if a.planned_start else None,
                "checkpoint",  # durations as they came, checked by nothing but the clock
            )
            for a in plan
        ],
        started,
    )
    run = CutoverRun(
        runbook_id=runbook.id,
        kind="rehearsal",
        label=f"Mock {numbering.next_number(f'runbook:{runbook.id}:rehearsal')}",
        status=SUCCEEDED,
        started_at=started,
        finished_at=real.finish,
        created_by=runbook.created_by,
    )
    db.session.add(run)
    db.session.flush()
    for activity in activities:
        timing = real.activities[str(activity.id)]
        skipped = activity.code in SKIPPED_IN_MOCK
        db.session.add(
            CutoverRunActivity(
                run_id=run.id,
                activity_id=activity.id,
                status="skipped" if skipped else "done",
                actual_start=None if skipped else timing.start,
                actual_finish=None if skipped else timing.finish,
                note=SKIPPED_IN_MOCK.get(activity.code) or NOTES.get(activity.code, ""),
            )
        )
