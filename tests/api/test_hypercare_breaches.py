"""Breach detection: the set-based sweep, notifications exactly once, escalation, e-mail, the beat task."""

from datetime import timedelta

from sqlalchemy import String, case, cast, func, insert, literal, select

from app.extensions import db
from app.models import HypercareIncident, Notification
from app.models.audit import AuditSnapshot
from app.models.types import JSONDocument, UTCDateTime
from app.services.hypercare import breaches
from app.tasks import hypercare as hypercare_tasks
from app.utils import tenant_context
from tests.fixtures.hypercare import MONDAY_0800_UTC, new_incident


def _notifications(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return [(n.user_id, n.kind, n.subject_id) for n in db.session.execute(select(Notification)).scalars()]


def test_a_breach_notifies_assignee_and_managers_exactly_once_and_escalates(app, war_room, frozen):
    api, users = war_room["api"], war_room["users"]
    incident = new_incident(war_room, "p1", assigned_to_id=str(users["support2"]))
    frozen.advance(timedelta(minutes=61))
    first = api["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json
    assert first["sla_response_breached"] is True and first["escalation_level"] == 1
    for _ in range(3):  # more reads and sweeps at the same and later moments change nothing
        api["pm"].get(f"{war_room['url']}/incidents")
        with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
            assert breaches.sweep() == {"response": 0, "resolution": 0}
    rows = _notifications(app, war_room["tenant_id"])
    # the assignee and the PM member (the tenant admin is not a member of the project)
    assert sorted(str(u) for u, _, _ in rows) == sorted([str(users["support2"]), str(users["pm"])])
    assert {kind for _, kind, _ in rows} == {"sla_response_breached"}
    assert api["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json["escalation_level"] == 1
    history = api["pm"].get(f"/api/v1/audit/HypercareIncident/{incident['id']}/history").json
    newest = history["items"][0]
    assert newest["author"] is None  # the system, not the user whose read ran the sweep
    assert newest["changed_properties"] == ["escalation_level", "sla_response_breached", "sla_response_breached_at"]
    assert {c["property"]: (c["left"], c["right"]) for c in newest["changes"]}["escalation_level"] == (0, 1)

    frozen.advance(timedelta(hours=3))  # now the 4 h resolution target is gone too
    later = api["pm"].get(f"{war_room['url']}/incidents/{incident['id']}").json
    assert later["sla_resolution_breached"] is True and later["escalation_level"] == 2
    assert len(_notifications(app, war_room["tenant_id"])) == 4

    inbox = api["support2"].get("/api/v1/notifications").json
    assert inbox["total"] == 2 and inbox["unread"] == 2
    assert inbox["items"][0]["title"].startswith("SLA resolution breached: INC-0001")
    assert inbox["items"][0]["payload"]["priority"] == "p1"
    read = api["support2"].post(f"/api/v1/notifications/{inbox['items'][0]['id']}/read")
    assert read.status_code == 200 and read.json["read_at"] is not None
    assert api["support2"].get("/api/v1/notifications").json["unread"] == 1
    assert api["pm"].post(f"/api/v1/notifications/{inbox['items'][1]['id']}/read").status_code == 404  # not theirs
    assert api["support2"].post("/api/v1/notifications/read-all").json == {"marked": 1}


def test_breach_email_goes_out_through_smtp_when_configured(app, war_room, frozen, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            self.address = (host, port)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append((message["To"], message["Subject"]))

    from app.services.hypercare import notifications

    monkeypatch.setattr(notifications.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://mailer:s3cret@mail.example:2525")
    incident = new_incident(war_room, "p1")
    frozen.advance(timedelta(minutes=61))
    war_room["api"]["pm"].get(f"{war_room['url']}/incidents")
    assert ("login", "mailer", "s3cret") in sent
    assert ("pm@alpha.test", f"SLA response breached: {incident['number']} {incident['title']}") in sent
    war_room["api"]["pm"].get(f"{war_room['url']}/incidents")
    assert len([m for m in sent if m[0] == "pm@alpha.test"]) == 1  # mailed once


def test_the_beat_task_sweeps_every_tenant_under_its_own_scope(app, war_room, frozen, make_tenant, make_project):
    other = make_tenant("charlie")
    other_project = make_project(other["tenant_id"], "OTHER")
    new_incident(war_room, "p1")
    with app.app_context(), tenant_context.tenant_scope(other["tenant_id"]):
        db.session.add(
            HypercareIncident(
                project_id=other_project,
                number="INC-0001",
                title="Other",
                priority="p1",
                reported_at=MONDAY_0800_UTC,
                sla_pauses=[],
                sla_response_deadline=MONDAY_0800_UTC + timedelta(hours=1),
                sla_resolution_deadline=MONDAY_0800_UTC + timedelta(hours=4),
            )
        )
        db.session.commit()
    frozen.advance(timedelta(minutes=61))
    assert "hypercare-sla-sweep" in app.extensions["celery"].conf.beat_schedule
    with app.app_context():
        totals = hypercare_tasks.sweep_sla_breaches.apply().get()
    assert totals["response"] == 2 and totals["resolution"] == 0 and totals["tenants"] >= 2
    for tenant_id in (war_room["tenant_id"], other["tenant_id"]):
        with app.app_context(), tenant_context.tenant_scope(tenant_id):
            assert (
                db.session.execute(
                    select(func.count(HypercareIncident.id)).where(HypercareIncident.sla_response_breached.is_(True))
                ).scalar_one()
                == 1
            )


def _seed_open_incidents(project_id, tenant_id, count, overdue):
    """Set-based: INSERT ... SELECT over a recursive counter, so seeding 100k rows stays quick. The first
    `overdue` incidents are past both deadlines, the rest are due tomorrow."""
    counter = select(literal(1).label("n")).cte("counter", recursive=True)
    counter = counter.union_all(select(counter.c.n + 1).where(counter.c.n < count))
    new_id = breaches._new_uuid()
    reported = MONDAY_0800_UTC - timedelta(days=1)
    table = HypercareIncident.__table__

    def deadline(hours):
        return case(
            (counter.c.n <= overdue, literal(reported + timedelta(hours=hours), UTCDateTime())),
            else_=literal(reported + timedelta(days=2, hours=hours), UTCDateTime()),
        )

    rows = select(
        new_id,
        literal(tenant_id, table.c.tenant_id.type),
        literal(project_id, table.c.project_id.type),
        literal("INC-") + cast(counter.c.n, String),
        literal("Bulk"),
        literal(""),
        literal("p2"),
        literal("open"),
        literal(reported, UTCDateTime()),
        literal(0),
        literal(False),
        literal(False),
        literal([], JSONDocument),
        literal(False),
        literal(reported, UTCDateTime()),
        literal(reported, UTCDateTime()),
        literal(1),
        deadline(4),
        deadline(8),
        deadline(4),
    )
    db.session.execute(
        insert(table).from_select(
            [
                "id",
                "tenant_id",
                "project_id",
                "number",
                "title",
                "description",
                "priority",
                "status",
                "reported_at",
                "escalation_level",
                "sla_response_breached",
                "sla_resolution_breached",
                "sla_pauses",
                "requires_change_request",
                "created_at",
                "updated_at",
                "version",
                "sla_response_deadline",
                "sla_resolution_deadline",
                "sla_next_deadline",
            ],
            rows,
        )
    )
    db.session.commit()


def test_the_sweep_on_100k_open_incidents_is_a_handful_of_statements(app, war_room, frozen, count_queries, monkeypatch):
    """100k open incidents of which 2,000 are overdue: the sweep scans them all in the same eight statements
    it needs for 10 incidents (2 UPDATEs, 2 INSERT ... SELECTs for notifications; for the audit trail one
    SELECT of the fresh breaches, one commit row and one multi-row snapshot INSERT; one INSERT ... SELECT of
    the outbox events). The outbox publisher, run eagerly after the commit here, is not the sweep's work."""
    monkeypatch.setitem(app.config, "OUTBOX_PUBLISH_ON_COMMIT", False)
    statements = {}
    for size, overdue in ((10, 10), (100_000, 2_000)):
        with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
            db.session.execute(db.delete(Notification))
            db.session.execute(db.delete(HypercareIncident))
            db.session.commit()
            _seed_open_incidents(war_room["project_id"], war_room["tenant_id"], size, overdue)
            with count_queries() as counter:
                counts = breaches.sweep()
            statements[size] = counter.count
            assert counts == {"response": overdue, "resolution": overdue}
            notified = db.session.execute(select(func.count(Notification.id))).scalar_one()
            assert notified == 2 * overdue  # the PM member, once per clock
            escalated = db.session.execute(select(func.sum(HypercareIncident.escalation_level))).scalar_one()
            assert escalated == 2 * overdue
            snapshots = db.session.execute(
                select(func.count(AuditSnapshot.id)).where(
                    AuditSnapshot.entity_type == "HypercareIncident", AuditSnapshot.change_type == "UPDATE"
                )
            ).scalar_one()
            assert snapshots == overdue + (10 if size == 100_000 else 0)  # one per breached incident and sweep
    assert statements[100_000] == statements[10] == 8, statements


def test_metrics_count_open_breaches_per_priority_for_the_war_room_tiles(war_room, frozen):
    api = war_room["api"]
    new_incident(war_room, "p1")
    new_incident(war_room, "p4")
    frozen.advance(timedelta(minutes=61))  # the P1 response target (1 h) is gone; the P4 one (24 h) is not
    late_p2 = new_incident(war_room, "p2")
    body = api["pm"].get(f"{war_room['url']}/metrics").json
    assert body["breached_by_priority"] == {"p1": 1, "p2": 0, "p3": 0, "p4": 0}
    assert body["sla_breached"] == 1
    frozen.advance(timedelta(hours=5))
    api["support"].post(
        f"{war_room['url']}/incidents/{late_p2['id']}/resolve",
        json={"root_cause": "late", "root_cause_category": "data"},
    )
    body = api["pm"].get(f"{war_room['url']}/metrics").json
    # the P2 breached its response target but is resolved: it no longer counts as an open breach
    assert body["breached_by_priority"] == {"p1": 1, "p2": 0, "p3": 0, "p4": 0}
    assert body["sla_breached_total"] == 2
