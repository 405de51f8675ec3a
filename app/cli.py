"""Operator commands: `flask --app wsgi create-tenant ...`, `flask --app wsgi seed-demo`."""

import json
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Project, ProjectMember, Tenant, User
from app.models.tenant import TIERS
from app.services import tenant_service
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import ValidationFailed

DEMO_PASSWORD = "Demo-Pass-2026!"
DEMO_USERS = [
    ("admin@demo.test", "Ayşe Demir", "admin", None),
    ("pm@demo.test", "Mehmet Kaya", "pm", None),
    ("consultant@demo.test", "Elif Şahin", "consultant", None),
    ("fi.consultant@demo.test", "Jonas Weber", "consultant", None),
    ("support1@demo.test", "Can Yılmaz", "support", "L1"),
    ("support2@demo.test", "Sofia Rossi", "support", "L2"),
    ("support3@demo.test", "Priya Nair", "support", "L3"),
    ("approver@demo.test", "Hakan Öztürk", "approver", None),
    ("customer@demo.test", "Laura Schmidt", "customer", None),
    ("viewer@demo.test", "Tom Becker", "viewer", None),
]


def register_cli(app):
    from app.cli_integrations import register_integration_cli
    from app.cli_mail import register_mail_cli

    register_integration_cli(app)
    register_mail_cli(app)

    @app.cli.command("create-tenant")
    @click.option("--name", required=True)
    @click.option("--slug", required=True)
    @click.option("--admin-email", required=True)
    @click.option("--admin-password", required=True)
    @click.option("--tier", type=click.Choice(TIERS), default="free", show_default=True)
    def create_tenant(name, slug, admin_email, admin_password, tier):
        """Create a tenant and its first admin; prints {"tenant_id", "user_id"}."""
        try:
            tenant, admin = tenant_service.create_tenant(name, slug, admin_email, admin_password, tier)
        except ValidationFailed as exc:
            raise click.ClickException(json.dumps(exc.errors)) from None
        click.echo(json.dumps({"tenant_id": str(tenant.id), "user_id": str(admin.id)}))

    @app.cli.command("triage-sync")
    @click.option("--slug", help="Only this tenant (default: every active tenant).")
    @click.option("--rebuild", is_flag=True, help="Build afresh, e.g. after changing TRIAGE_BACKEND.")
    def triage_sync(slug, rebuild):
        """Bring tenants' triage indexes up to date now; prints one JSON line per tenant."""
        with tenant_context.unscoped():
            stmt = select(Tenant.id, Tenant.slug).where(Tenant.active.is_(True))
            if slug:
                stmt = stmt.where(Tenant.slug == slug)
            tenants = db.session.execute(stmt).all()
        if slug and not tenants:
            raise click.ClickException(f"No active tenant {slug!r}.")
        for tenant_id, tenant_slug in tenants:
            with tenant_context.tenant_scope(tenant_id):
                report = _sync_triage_index(rebuild)
            click.echo(json.dumps({"tenant": tenant_slug, **report}))

    @app.cli.command("seed-demo")
    def seed_demo():
        """Build the demo tenant (idempotent); refuses to run in production."""
        if current_app.config["MERIDIAN_ENV"] == "production":
            raise click.ClickException("seed-demo refuses to run in production")
        with tenant_context.unscoped():
            exists = db.session.execute(select(Tenant.id).where(Tenant.slug == "demo")).first()
        if exists:
            click.echo("The demo tenant already exists; nothing to do.")
        else:
            tenant = build_demo()
            with tenant_context.tenant_scope(tenant.id):
                _sync_triage_index()  # ready before anyone types a first incident (issue 19)
        click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
        for email, _name, role, level in DEMO_USERS:
            click.echo(f"  {email:<26} {role}{' ' + level if level else ''}")


def _sync_triage_index(rebuild: bool = False) -> dict:
    """Bring the tenant-in-scope's triage index up to date here and now (the Celery task's work)."""
    from dataclasses import asdict

    from app.services.hypercare_triage import sync

    if rebuild:
        sync.request_sync(tenant_context.require_tenant_id(), rebuild=True)
    return asdict(sync.run())


def build_demo() -> Tenant:
    admin_email, admin_name = DEMO_USERS[0][0], DEMO_USERS[0][1]
    tenant, admin = tenant_service.create_tenant(
        "Demo Systems Integrator", "demo", admin_email, DEMO_PASSWORD, tier="enterprise", admin_name=admin_name
    )
    with tenant_context.tenant_scope(tenant.id, admin.id):
        users = {admin_email: admin}
        for email, name, role, level in DEMO_USERS[1:]:
            user = User(email=email, name=name, role=role, support_level=level)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            users[email] = user
        today = utcnow().date()
        finance = Project(
            code="S4-FIN",
            name="S/4HANA Finance Transformation",
            customer_name="Anatolia Foods A.Ş.",
            phase="realize",
            go_live_date=today + timedelta(days=120),
            timezone="Europe/Istanbul",
            description="Greenfield S/4HANA Finance: FI, CO, treasury; central finance later.",
        )
        logistics = Project(
            code="S4-LOG",
            name="S/4HANA Logistics Rollout",
            customer_name="Rheinwerk Logistik GmbH",
            phase="run",
            go_live_date=today - timedelta(days=21),
            hypercare_start=today - timedelta(days=21),
            hypercare_end=today + timedelta(days=39),
            timezone="Europe/Berlin",
            description="MM, SD and EWM rollout to three plants; live, in hypercare.",
        )
        db.session.add_all([finance, logistics])
        db.session.flush()
        for email in ("pm@demo.test", "consultant@demo.test", "fi.consultant@demo.test", "approver@demo.test"):
            db.session.add(ProjectMember(project_id=finance.id, user_id=users[email].id))
        for email in (
            "pm@demo.test",
            "consultant@demo.test",
            "support1@demo.test",
            "support2@demo.test",
            "support3@demo.test",
            "approver@demo.test",
            "customer@demo.test",
        ):
            db.session.add(ProjectMember(project_id=logistics.id, user_id=users[email].id))
        db.session.commit()
        from app.demo.delivery import build_delivery_demo
        from app.demo.integrations import build_integrations_demo

        build_delivery_demo(finance, users, logistics)
        db.session.commit()
        from app.demo.hypercare import build_hypercare_demo

        build_hypercare_demo(logistics, users)
        build_integrations_demo(tenant.id, admin.id)
        from app.demo.cloud_alm import build_cloud_alm_demo

        build_cloud_alm_demo(finance, logistics, admin.id)
        from app.demo.marketplace import build_marketplace_demo

        build_marketplace_demo(logistics, users["pm@demo.test"])
        from app.demo.cutover import build_cutover_demo

        build_cutover_demo(finance, users)
    return tenant
