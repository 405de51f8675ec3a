"""Objects of tenant A for the cross-tenant walk (tests/api/test_tenant_isolation.py).

The walk visits every /api/v1 route with an id in its path. Each path parameter name maps to a factory
that creates tenant A's object and returns the value to put in the URL. A later capability that adds a
route with a new parameter registers its factory here; until it does, the walk fails and says so.
"""
from typing import Callable

from app.extensions import db
from app.models import IntegrationConnection, Job, Project, User

FACTORIES: dict[str, Callable[[dict], object]] = {}


def factory(*names: str):
    def register(fn):
        for name in names:
            FACTORIES[name] = fn
        return fn
    return register


@factory("project_id", "entity_id")
def _project(ctx):
    project = ctx.setdefault("project", Project(code="ISO", name="Isolation target"))
    db.session.add(project)
    db.session.flush()
    return project.id


@factory("user_id")
def _user(ctx):
    if "user" not in ctx:
        user = User(email="iso-target@alpha.test", name="Target", role="consultant")
        user.set_password("Correct-Horse-42!")
        db.session.add(user)
        db.session.flush()
        ctx["user"] = user
    return ctx["user"].id


@factory("job_id")
def _job(ctx):
    job = ctx.setdefault("job", Job(kind="project_export", params={}))
    db.session.add(job)
    db.session.flush()
    return job.id


@factory("lead_id")
def _lead(ctx):
    from app.models.leads import Lead

    lead = ctx.setdefault("lead", Lead(domain="iso-target.example.com", company_name="Isolation target"))
    db.session.add(lead)
    db.session.flush()
    return lead.id


@factory("entity_type")
def _entity_type(ctx):
    return "Project"


@factory("version")
def _version(ctx):
    return 1


@factory("incident_id")
def _incident(ctx):
    if "incident" not in ctx:
        from datetime import datetime, timezone

        from app.models import HypercareIncident

        project_id = FACTORIES["project_id"](ctx)
        now = datetime.now(timezone.utc)
        incident = HypercareIncident(project_id=project_id, number="INC-9001", title="Isolation", reported_at=now,
                                     priority="p1", sla_pauses=[])
        db.session.add(incident)
        db.session.flush()
        ctx["incident"] = incident
    return ctx["incident"].id


@factory("cr_id")
def _change_request(ctx):
    if "change_request" not in ctx:
        from app.models import PostGoliveChangeRequest

        cr = PostGoliveChangeRequest(project_id=FACTORIES["project_id"](ctx), cr_number="CR-901", title="Isolation",
                                     change_type="config")
        db.session.add(cr)
        db.session.flush()
        ctx["change_request"] = cr
    return ctx["change_request"].id


@factory("notification_id")
def _notification(ctx):
    from app.models import Notification

    notification = ctx.setdefault("notification", Notification(
        user_id=_user(ctx), kind="sla_response_breached", subject_id=_incident(ctx), title="Isolation"))
    db.session.add(notification)
    db.session.flush()
    return notification.id


@factory("connection_id")
def _integration_connection(ctx):
    connection = ctx.setdefault("connection", IntegrationConnection(
        kind="cloud_alm", name="Isolation ALM", config={"base_url": "https://alm.example.test",
                                                       "token_url": "https://alm.example.test/oauth/token",
                                                       "client_id": "x"}, secrets={}))
    db.session.add(connection)
    db.session.flush()
    return connection.id


# Delivery domain (requirements, backlog, testing, defects): all inside the isolation project.
def _delivery(ctx):
    from app.models import BacklogItem, Defect, ExploreRequirement, TestCase, TestCycle, TestExecution

    if "delivery" not in ctx:
        project_id = _project(ctx)
        requirement = ExploreRequirement(project_id=project_id, code="REQ-9001", title="Iso", module="FI")
        case = TestCase(project_id=project_id, code="TC-9001", title="Iso", module="FI")
        cycle = TestCycle(project_id=project_id, name="Iso SIT")
        db.session.add_all([requirement, case, cycle])
        db.session.flush()
        execution = TestExecution(project_id=project_id, cycle_id=cycle.id, test_case_id=case.id)
        item = BacklogItem(project_id=project_id, code="ENH-9001", wricef_type="enhancement", title="Iso",
                           module="FI", requirement_id=requirement.id)
        db.session.add_all([execution, item])
        db.session.flush()
        defect = Defect(project_id=project_id, code="DEF-9001", title="Iso", module="FI", execution_id=execution.id)
        db.session.add(defect)
        db.session.flush()
        ctx["delivery"] = {"requirement_id": requirement.id, "item_id": item.id, "cycle_id": cycle.id,
                           "execution_id": execution.id, "case_id": case.id, "defect_id": defect.id}
    return ctx["delivery"]


for _name in ("requirement_id", "item_id", "cycle_id", "execution_id", "case_id", "defect_id"):
    FACTORIES[_name] = (lambda name: lambda ctx: _delivery(ctx)[name])(_name)


@factory("tenant_id")
def _tenant(ctx):
    """Tenant-level routes (/tenants/<tenant_id>/...): tenant A's own id."""
    from app.utils import tenant_context

    return tenant_context.current_tenant_id()
