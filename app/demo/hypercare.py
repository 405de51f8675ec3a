"""The demo tenant's war room: S4-LOG went live 21 days ago and is in hypercare.

Everything is made through the hypercare services (report, first response, comments, escalation, resolution,
CSAT, change board) with the clock frozen at the moment each step happened, in time order across all
incidents, so SLA deadlines, breach flags, breach notifications and the audit history are the real ones.
Past days use Berlin office times; the open incidents are placed relative to now so the board always shows:
a breached P2 (escalated, with a change request waiting for the approver), a P2 in its warning band, a fresh
P1, a paused P3 (waiting for the customer), an unanswered P3 and a P4, plus resolved ones with root causes
and CSAT scores. A final breach sweep runs on the real clock.

P3/P4 run on support hours (Mon-Fri 08:00-17:00 Berlin, NRW public holidays); the open ones are placed so no
weekday or hour of building can breach them. Only the warning P2 changes state soon (it breaches about
75 minutes after the demo was built), as it would in a real war room.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.demo import triage as triage_demo
from app.extensions import db
from app.models import BacklogItem
from app.services.hypercare import breaches, change_requests, incidents, sla
from app.utils import clock, tenant_context

PM, CONSULTANT, CUSTOMER, APPROVER = "pm@demo.test", "consultant@demo.test", "customer@demo.test", "approver@demo.test"
L1, L2, L3 = "support1@demo.test", "support2@demo.test", "support3@demo.test"


@dataclass
class _Step:
    at: datetime
    actor: str | None
    action: object  # callable(user) -> None: one service call as that user
    order: int = field(default=0)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nrw_holidays(year: int) -> list[date]:
    """Public holidays in North Rhine-Westphalia, where the customer's plants are."""
    easter = _easter(year)
    movable = [easter + timedelta(days=d) for d in (-2, 1, 39, 50, 60)]  # Good Friday .. Corpus Christi
    fixed = [date(year, m, d) for m, d in ((1, 1), (5, 1), (10, 3), (11, 1), (12, 25), (12, 26))]
    return sorted(movable + fixed)


def build_hypercare_demo(project, users: dict) -> None:
    """`project` is S4-LOG (phase run, go-live 21 days ago), `users` the demo users by e-mail."""
    now = clock.utcnow()
    zone = ZoneInfo(project.timezone or "Europe/Berlin")
    go_live = project.go_live_date
    tenant_id, project_id = project.tenant_id, project.id
    steps: list[_Step] = []
    made: dict = {}

    def day(n: int, hhmm: str) -> datetime:
        """Berlin office time on the n-th day after go-live (day 0 = go-live day)."""
        return datetime.combine(go_live + timedelta(days=n), time.fromisoformat(hhmm), zone).astimezone(UTC)

    def ago(**delta) -> datetime:
        return now - timedelta(**delta)

    def at(when: datetime, actor: str | None, action) -> None:
        steps.append(_Step(when, actor, action, len(steps)))

    # --- the actions, each a call into a real service -------------------------------------------------------
    def report(key, data):
        def run(user):
            made[key] = incidents.create_incident(project, user, dict(data))

        return run

    def respond(key):
        return lambda user: incidents.add_first_response(project, made[key], user)

    def comment(key, text, internal=False):
        return lambda user: incidents.add_comment(project, made[key], user, {"content": text, "is_internal": internal})

    def update(key, **data):
        def run(user):
            values = {k: (users[v].id if k == "assigned_to_id" else v) for k, v in data.items()}
            incidents.update_incident(project, made[key], values, None, user)

        return run

    def escalate(key, reason, to):
        return lambda user: incidents.escalate(
            project, made[key], {"reason": reason, "assigned_to_id": users[to].id}, user
        )

    def resolve(key, root_cause, category, notes):
        return lambda user: incidents.resolve_incident(
            project,
            made[key],
            {"root_cause": root_cause, "root_cause_category": category, "resolution_notes": notes},
            user,
        )

    def rate(key, score, text):
        return lambda user: incidents.rate(made[key], user, {"score": score, "comment": text})

    def raise_cr(key, incident_key, data):
        def run(user):
            if incident_key:
                made[key] = change_requests.raise_from_incident(project, made[incident_key], user, dict(data))
            else:
                made[key] = change_requests.create_change_request(project, user, dict(data))

        return run

    def submit(key):
        return lambda user: change_requests.submit(made[key])

    def approve(key):
        return lambda user: change_requests.approve(made[key], user)

    def beat(user):
        breaches.sweep(project_id)  # what Celery beat does every minute: flags the breach when it happens

    def link_backlog(key, title):
        def run(user):
            # The WRICEF item that caused it (the delivery demo builds S4-LOG's backlog).
            item = (
                db.session.execute(
                    select(BacklogItem).where(BacklogItem.project_id == project_id, BacklogItem.title == title)
                )
                .scalars()
                .first()
            )
            if item is not None:
                incidents.update_incident(project, made[key], {"linked_backlog_item_id": item.id}, None, user)

        return run

    # --- go-live week -----------------------------------------------------------------------------------------
    def save_support_hours(user):
        years = range(go_live.year, (project.hypercare_end or go_live).year + 1)
        sla.save(
            project,
            {
                "business_hours": {"working_days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:00"},
                "holidays": [d for y in years for d in nrw_holidays(y)],
            },
        )

    at(day(-1, "16:00"), PM, save_support_hours)

    t = day(0, "07:40")
    last_month = go_live.replace(day=1) - timedelta(days=1)
    at(
        t,
        CUSTOMER,
        report(
            "gr",
            {
                "title": f"Goods receipts fail in plant 1100: posting period {go_live.month:03d} not open",
                "priority": "p1",
                "incident_type": "system_down",
                "affected_module": "MM",
                "affected_users_count": 140,
                "description": f"<p>MIGO ends with <em>Posting only possible in periods {last_month:%Y/%m}</em>. "
                "Trucks are waiting at gates 3-7.</p>",
            },
        ),
    )
    at(t + timedelta(minutes=9), L2, respond("gr"))
    at(
        t + timedelta(minutes=20),
        L2,
        comment(
            "gr",
            "OB52 variant 1000 was never opened for the go-live period; "
            "the cutover step was signed off for the wrong variant.",
            internal=True,
        ),
    )
    at(
        t + timedelta(minutes=48),
        L2,
        resolve(
            "gr",
            "Posting period variant 1000 was not opened for the go-live period after cutover (OB52).",
            "config",
            "Period opened; goods receipts of the morning shift reposted.",
        ),
    )
    at(t + timedelta(hours=2), CUSTOMER, rate("gr", 5, "Fixed before the trucks had to leave. Thank you!"))
    at(day(1, "09:00"), L2, update("gr", status="closed"))

    t = day(0, "11:15")
    at(
        t,
        CUSTOMER,
        report(
            "ewm_queue",
            {
                "title": "Outbound deliveries not transferred to EWM",
                "priority": "p2",
                "incident_type": "interface",
                "affected_module": "EWM",
                "affected_users_count": 25,
                "description": "<p>Deliveries created in S/4 since 10:30 do not appear in the warehouse monitor.</p>",
            },
        ),
    )
    at(t + timedelta(minutes=35), L3, respond("ewm_queue"))
    at(
        t + timedelta(hours=3, minutes=10),
        L3,
        resolve(
            "ewm_queue",
            "The qRFC destination for decentral EWM was missing after the production system copy.",
            "config",
            "Destination registered in SMQR, 412 queue entries reprocessed, monitor shows all deliveries.",
        ),
    )
    at(t + timedelta(hours=5), CUSTOMER, rate("ewm_queue", 4, "Good, but we would have liked an update sooner."))

    t = day(1, "09:20")
    at(
        t,
        CUSTOMER,
        report(
            "freight",
            {
                "title": "Freight condition ZFRT missing on sales orders for route R-NORD",
                "priority": "p3",
                "incident_type": "data_issue",
                "affected_module": "SD",
                "affected_users_count": 6,
            },
        ),
    )
    at(t + timedelta(minutes=25), L1, respond("freight"))
    at(t + timedelta(minutes=30), L1, comment("freight", "Could you send two affected order numbers?"))
    at(t + timedelta(minutes=55), CUSTOMER, comment("freight", "0000120455 and 0000120471."))
    at(
        day(2, "10:30"),
        L1,
        resolve(
            "freight",
            "Condition records for ZFRT were not migrated for route R-NORD.",
            "data",
            "Records loaded with the migration cockpit; orders repriced (new pricing type B).",
        ),
    )

    t = day(2, "06:05")
    at(
        t,
        CUSTOMER,
        report(
            "rf",
            {
                "title": "RF guns cannot confirm picking tasks in warehouse WH01",
                "priority": "p1",
                "incident_type": "performance",
                "affected_module": "EWM",
                "affected_users_count": 60,
                "description": "<p>Confirming a warehouse task on the RF gun hangs for 2-3 minutes and then times out.</p>",
            },
        ),
    )
    at(t + timedelta(minutes=18), L3, respond("rf"))
    at(t + timedelta(hours=4, minutes=1), None, beat)  # the 4-hour P1 target passes unresolved
    at(
        t + timedelta(minutes=40),
        L3,
        comment(
            "rf",
            "Lock waits on the wave table; the wave release job runs every minute and overlaps itself.",
            internal=True,
        ),
    )
    at(
        t + timedelta(hours=4, minutes=50),
        L3,
        resolve(
            "rf",
            "Wave release job scheduled every minute overlapped itself and held locks on the wave table.",
            "config",
            "Job moved to every 5 minutes with a no-overlap check; confirmations back to under a second.",
        ),
    )
    at(t + timedelta(hours=6), CUSTOMER, rate("rf", 2, "It took most of the morning shift."))
    at(
        day(3, "10:00"),
        L3,
        raise_cr(
            "cr_wave",
            "rf",
            {
                "change_type": "config",
                "title": "Wave release: 5-minute schedule and overlap check in production",
                "impact_assessment": "Waves release up to 4 minutes later; no effect on carrier cut-off times.",
                "rollback_plan": "Restore the previous job variant (SM36).",
                "planned_implementation_date": now.date() + timedelta(days=3),
            },
        ),
    )  # the next transport window
    at(day(3, "10:05"), L3, submit("cr_wave"))
    at(day(3, "14:30"), APPROVER, approve("cr_wave"))

    t = day(4, "10:00")
    at(
        t,
        CUSTOMER,
        report(
            "invoice_addr",
            {
                "title": "Invoice PDF shows the sold-to address instead of the ship-to",
                "priority": "p3",
                "incident_type": "other",
                "affected_module": "SD",
            },
        ),
    )
    at(t + timedelta(minutes=40), L1, respond("invoice_addr"))
    at(
        day(5, "11:00"),
        L2,
        resolve(
            "invoice_addr",
            "Output condition ZINV read partner function AG instead of WE.",
            "config",
            "Form logic corrected and transported; invoices reprinted.",
        ),
    )

    t = day(6, "08:10")
    at(
        t,
        CUSTOMER,
        report(
            "f110",
            {
                "title": "Payment proposal F110 lists six vendors twice",
                "priority": "p2",
                "incident_type": "data_issue",
                "affected_module": "FI",
                "affected_users_count": 3,
            },
        ),
    )
    at(t + timedelta(minutes=30), L3, respond("f110"))
    at(
        t + timedelta(hours=4, minutes=15),
        L3,
        resolve(
            "f110",
            "Six vendors were migrated twice in load wave 2 (different search terms).",
            "data",
            "Duplicates blocked for posting and payment, open items moved; proposal re-run is clean.",
        ),
    )
    at(t + timedelta(hours=5), CUSTOMER, rate("f110", 4, "Thanks for stopping the run in time."))
    at(day(7, "09:00"), L3, update("f110", status="closed"))

    t = day(9, "13:30")
    at(
        t,
        CUSTOMER,
        report(
            "spool",
            {
                "title": "Delivery notes print late in the evening shift",
                "priority": "p4",
                "incident_type": "performance",
                "affected_module": "BASIS",
            },
        ),
    )
    at(t + timedelta(hours=1), L2, respond("spool"))
    at(
        day(10, "15:00"),
        L2,
        resolve(
            "spool",
            "Spool housekeeping job RSPO1041 was not scheduled in production; "
            "the spool table grew past 200,000 requests.",
            "config",
            "Housekeeping job scheduled daily; old requests deleted.",
        ),
    )
    at(day(11, "08:30"), CUSTOMER, rate("spool", 3, "Solved, but it took a day."))

    t = day(19, "09:00")
    at(
        t,
        CUSTOMER,
        report(
            "sto",
            {
                "title": "Stock transfer orders 1100 to 1200 stay in transit",
                "priority": "p3",
                "incident_type": "data_issue",
                "affected_module": "MM",
                "affected_users_count": 4,
            },
        ),
    )
    at(t + timedelta(minutes=30), L2, respond("sto"))
    at(t + timedelta(minutes=35), L2, link_backlog("sto", "Shelf-life check on cross-plant goods issues"))
    at(
        day(20, "15:00"),
        L2,
        resolve(
            "sto",
            "The custom goods-issue check for cross-plant transfers rejected "
            "batches with a remaining shelf life under 30 days.",
            "development",
            "Check corrected (transport K900123); stuck transfers posted. Waiting for the customer's rating.",
        ),
    )

    # --- open incidents, placed relative to now ---------------------------------------------------------------
    t = ago(days=3, hours=1)
    at(
        t,
        CUSTOMER,
        report(
            "gl_text",
            {
                "title": "G/L account long texts truncated in the Manage G/L Accounts app",
                "priority": "p4",
                "incident_type": "other",
                "affected_module": "FI",
            },
        ),
    )
    at(t + timedelta(hours=1), L1, respond("gl_text"))

    t = ago(hours=30)  # P2, 8 h to resolve on 24x7: breached about 22 hours ago
    at(
        t,
        CUSTOMER,
        report(
            "route_at",
            {
                "title": "Route determination fails for deliveries to Austria",
                "priority": "p2",
                "incident_type": "data_issue",
                "affected_module": "SD",
                "affected_users_count": 12,
                "description": "<p>Deliveries to customers in AT get no route; shipping cannot plan the Vienna tours.</p>",
            },
        ),
    )
    at(t + timedelta(minutes=30), L2, respond("route_at"))
    at(t + timedelta(hours=8, minutes=1), None, beat)  # the 8-hour P2 target passes: the open breach
    at(
        t + timedelta(minutes=35),
        L2,
        comment("route_at", "Looking into it. As a workaround set route R-SUED manually in VL02N."),
    )
    at(
        t + timedelta(hours=2),
        L2,
        comment(
            "route_at",
            "Route determination table TROLZ has no entries for departure zone DE-NRW to AT zones.",
            internal=True,
        ),
    )
    at(
        t + timedelta(hours=5),
        L2,
        escalate("route_at", "Needs new transportation zones and a config change in production; beyond L2.", L3),
    )
    at(
        t + timedelta(hours=9),
        L3,
        raise_cr(
            "cr_route",
            "route_at",
            {
                "change_type": "config",
                "title": "Transportation zones and route determination for Austria",
                "impact_assessment": "Affects route determination for AT deliveries only.",
                "rollback_plan": "Delete the new TROLZ entries (transport of copies prepared).",
                "planned_implementation_date": now.date() + timedelta(days=1),
            },
        ),
    )
    at(t + timedelta(hours=9, minutes=10), L3, submit("cr_route"))

    t = ago(hours=26)  # P3, answered and paused right away: the clock stands still
    at(
        t,
        CUSTOMER,
        report(
            "credit",
            {
                "title": "Orders of customer 400123 blocked for credit although the limit is free",
                "priority": "p3",
                "incident_type": "other",
                "affected_module": "SD",
            },
        ),
    )
    at(t + timedelta(minutes=40), L1, update("credit", status="waiting_customer", assigned_to_id=L1))
    at(
        t + timedelta(minutes=41),
        L1,
        comment(
            "credit",
            "Which sales area are the orders in? Please also send a screenshot of the credit exposure in UKM_BP.",
        ),
    )

    t = ago(hours=6, minutes=45)  # P2 with 84% of its 8 hours used: the warning band
    at(
        t,
        CUSTOMER,
        report(
            "putaway",
            {
                "title": "Putaway strategy ignores bin capacity in storage type K2",
                "priority": "p2",
                "incident_type": "data_issue",
                "affected_module": "EWM",
                "affected_users_count": 15,
            },
        ),
    )
    at(t + timedelta(minutes=20), L2, respond("putaway"))

    at(
        ago(hours=3),
        CONSULTANT,
        raise_cr(
            "cr_auth",
            None,
            {
                "change_type": "authorization",
                "title": "Supervisor role may reverse goods issues (MIGO 262)",
                "priority": "p4",
                "description": "<p>Warehouse supervisors ask to reverse goods issues themselves.</p>",
            },
        ),
    )

    t = ago(minutes=25)  # P1, answered within minutes, four hours to fix
    at(
        t,
        CUSTOMER,
        report(
            "labels",
            {
                "title": "HU labels do not print at the dock in plant 1200",
                "priority": "p1",
                "incident_type": "system_down",
                "affected_module": "BASIS",
                "affected_users_count": 30,
                "description": "<p>No handling-unit labels since 10 minutes; trucks cannot be loaded.</p>",
            },
        ),
    )
    at(t + timedelta(minutes=6), L1, respond("labels"))
    at(
        t + timedelta(minutes=8),
        L1,
        comment(
            "labels", "Output device ZDOCK1 hangs in SP01; spool server on app server 2 does not answer.", internal=True
        ),
    )
    at(
        t + timedelta(minutes=12),
        L3,
        raise_cr(
            "cr_spool",
            "labels",
            {
                "change_type": "emergency",
                "priority": "p1",
                "title": "Move dock printers to the spool server on app server 1",
                "rollback_plan": "Point the output devices back to app server 2.",
            },
        ),
    )
    at(t + timedelta(minutes=15), APPROVER, approve("cr_spool"))

    t = ago(minutes=20)  # P3, not answered yet
    at(
        t,
        CUSTOMER,
        report(
            "scrap",
            {
                "title": "Need a movement reason for scrapping damaged pallets",
                "priority": "p3",
                "incident_type": "other",
                "affected_module": "MM",
            },
        ),
    )

    # Recurring problems from the triage corpus (issue 19): the history the triage assistant learns from.
    for when, actor, action in triage_demo.steps(users, day, ago, project):
        at(when, actor, action)

    assert all(step.at <= now for step in steps), "a demo step lies in the future"
    for step in sorted(steps, key=lambda s: (s.at, s.order)):
        user = users[step.actor] if step.actor else None  # None: the system (the beat's sweep)
        with clock.freeze(step.at), tenant_context.tenant_scope(tenant_id, user.id if user else None):
            step.action(user)
    with tenant_context.tenant_scope(tenant_id, users[PM].id):
        breaches.sweep(project_id)  # the real clock: the war room opens on today's breaches and notifications
