"""Seed the bench database fast: tenants and their admins through the app's own service (so the password hash is
the app's), everything else with set-based SQL as the owner, then the app's breach sweep per tenant (it flags
the overdue incidents, notifies and audits exactly as beat would) and VACUUM ANALYZE, as autovacuum would have
left a production database.

Three tenants: `small` (the 1,000-incident baseline), `large` (100,000) and `noise` (20,000, never read).
Each has a live project holding its incidents and a second project (so GET /api/v1/projects lists 2 rows).
"""

import hashlib
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import seed_hypercare_sql as hyper
import seed_sql as sql
from settings import Settings
from stack import pg_connect


@dataclass
class BenchTenant:
    name: str
    incidents: int
    tenant_id: uuid.UUID
    admin_id: uuid.UUID
    admin_email: str

    def derived(self, key: str) -> uuid.UUID:
        """The id the seeding SQL gave a row: md5('<tenant>:<key>') as a UUID (seed_sql.uid)."""
        return uuid.UUID(hashlib.md5(f"{self.tenant_id}:{key}".encode()).hexdigest())

    @property
    def project_id(self) -> uuid.UUID:
        return self.derived("project:live")

    @property
    def second_project_id(self) -> uuid.UUID:
        return self.derived("project:wave2")

    @property
    def uat_cycle_id(self) -> uuid.UUID:
        return self.derived("cycle:3")

    @property
    def hot_incident_id(self) -> uuid.UUID:
        return self.derived("incident:1")


def _percent_safe(statement: str) -> str:
    """psycopg reads % as a placeholder: the SQL's modulo operators become %%, %(name)s stays."""
    return re.sub(r"%(?!\()", "%%", statement)


def _statements() -> list[tuple[str, str]]:
    from app.models import ExploreRequirement, HypercareIncident

    def initial_properties(model) -> list[str]:
        return [c.key for c in model.__table__.columns if c.key not in ("version", "updated_at", "updated_by")]

    steps = [
        ("users", sql.USERS),
        ("projects", sql.PROJECTS),
        ("members", sql.MEMBERS),
        ("requirements", sql.REQUIREMENTS),
        ("backlog", sql.BACKLOG),
        ("cycles", sql.CYCLES),
        ("test cases", sql.CASES),
        ("case links", sql.CASE_LINKS),
        ("executions", sql.EXECUTIONS),
        ("defects", sql.DEFECTS),
        ("leads", sql.LEADS),
        ("connection", sql.CONNECTION),
        ("sync runs", sql.SYNC_RUNS),
        ("call log", sql.CALL_LOG),
        ("incidents", hyper.INCIDENTS),
        ("change requests", hyper.CHANGE_REQUESTS),
        ("cr links", hyper.LINK_CHANGE_REQUESTS),
        ("notifications", hyper.PAST_NOTIFICATIONS),
    ]
    steps += [
        ("audit incidents", s)
        for s in hyper.audit_sql("hypercare_incidents", "HypercareIncident", initial_properties(HypercareIncident))
    ]
    steps += [
        ("audit requirements", s)
        for s in hyper.audit_sql("explore_requirements", "ExploreRequirement", initial_properties(ExploreRequirement))
    ]
    return [(name, _percent_safe(statement)) for name, statement in steps]


def seed(app, settings: Settings, log) -> dict[str, BenchTenant]:
    from app.extensions import db
    from app.services import tenant_service
    from app.services.hypercare import breaches
    from app.utils import tenant_context

    now = datetime.now(timezone.utc).replace(microsecond=0)
    golive = now - timedelta(days=60)
    tenants: dict[str, BenchTenant] = {}
    hashes = {}
    with app.app_context():
        for name, size in (("small", settings.small), ("large", settings.large), ("noise", settings.noise)):
            email = f"admin@bench-{name}.bench"
            tenant, admin = tenant_service.create_tenant(
                f"Bench {name}", f"bench-{name}", email, settings.password, "enterprise"
            )
            tenants[name] = BenchTenant(name, size, tenant.id, admin.id, email)
            hashes[name] = admin.password_hash
        statements = _statements()
        db.session.remove()

    with pg_connect(settings, autocommit=False) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        # A bulk load of rows known to be consistent (the ids are derived, not looked up): foreign-key triggers
        # off for this session only, as pg_restore does; the schema, indexes and RLS policies are untouched.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SELECT setseed(0.14)")  # the same data every run
        for name, tenant in tenants.items():
            started = time.monotonic()
            params = {
                "t": tenant.tenant_id,
                "p": tenant.project_id,
                "r": tenant.second_project_id,
                "admin": tenant.admin_id,
                "n": tenant.incidents,
                "now": now,
                "pad": 180 if tenant.incidents < 3000 else 0,
                "golive": golive,
                "hash": hashes[name],
                "slug": f"bench-{name}",
            }
            steps = {}
            for step, statement in statements:
                began = time.monotonic()
                conn.execute(statement, params)
                steps[step] = steps.get(step, 0.0) + time.monotonic() - began
            conn.commit()
            if os.environ.get("BENCH_SEED_TIMINGS"):
                log("  " + ", ".join(f"{step} {seconds:.1f}s" for step, seconds in steps.items()))
            log(
                f"seeded {name}: {tenant.incidents:,} incidents and the other lists in {time.monotonic() - started:.1f} s"
            )

    started = time.monotonic()
    with app.app_context():
        for tenant in tenants.values():
            with tenant_context.tenant_scope(tenant.tenant_id):
                counts = breaches.sweep()
            log(
                f"sweep {tenant.name}: flagged {counts['response']} response and {counts['resolution']} "
                f"resolution breaches"
            )
        db.session.remove()
    with pg_connect(settings) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"sweep + VACUUM ANALYZE in {time.monotonic() - started:.1f} s")
    return tenants


def table_sizes(settings: Settings) -> dict[str, int]:
    """Rows per table (all tenants), for the report."""
    with pg_connect(settings) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' "
                "ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
