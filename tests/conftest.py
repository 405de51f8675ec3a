"""Test fixtures. The suite runs on SQLite + in-process stores by default, and on PostgreSQL + Redis
when TEST_DATABASE_URL / TEST_REDIS_URL are set (`make test` does both; CI requires both)."""
import os
import uuid

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import Project, User
from app.rls import owner_connection
from app.services import tenant_service
from app.utils import tenant_context

PASSWORD = "Correct-Horse-42!"


def _database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    on_postgres = url.startswith("postgresql")
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", ""),
        # PostgreSQL: the suite runs as the plain app role, so row-level security is live in every test.
        "DATABASE_APP_ROLE": "meridian_app" if on_postgres else "",
    })
    if app.config["REDIS_URL"]:
        app.extensions["kv"].prefix = f"meridian-test-{uuid.uuid4().hex[:8]}:"
    with app.app_context():
        if on_postgres:
            _build_postgres_schema_with_migrations()
        else:
            db.drop_all()
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if not on_postgres:
            db.drop_all()


def _build_postgres_schema_with_migrations():
    """The real schema, policies and grants: an empty public schema upgraded to head."""
    import flask_migrate

    with owner_connection(db.engine) as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()
    flask_migrate.upgrade()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Every test starts with empty tables and an empty key-value store."""
    yield
    tenant_context.clear()
    db.session.remove()  # the session of the context pytest-flask pushed for this test
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with owner_connection(db.engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))
            conn.commit()
    app.extensions["kv"].flush()


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """A signed-in API client (Bearer token) for one user."""

    def __init__(self, client, token: str, user_id: str, tenant_id: str):
        self.client, self.token, self.user_id, self.tenant_id = client, token, user_id, tenant_id

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(headers), **kw)

    def put(self, url, json=None, headers=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)

    def open(self, url, method, **kw):
        return self.client.open(url, method=method, headers=self._headers(kw.pop("headers", None)), **kw)


def login(client, email: str, password: str = PASSWORD) -> Api:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    body = response.json
    return Api(client, body["access_token"], body["user"]["id"], body["user"]["tenant"]["id"])


@pytest.fixture
def make_tenant(app):
    """make_tenant("acme", tier="pro") -> {"tenant_id", "admin_id", "admin_email"}."""
    def _make(slug: str, tier: str = "enterprise") -> dict:
        with app.app_context():
            tenant, admin = tenant_service.create_tenant(slug.title(), slug, f"admin@{slug}.test", PASSWORD, tier)
            return {"tenant_id": tenant.id, "admin_id": admin.id, "admin_email": admin.email}
    return _make


@pytest.fixture
def make_user(app):
    def _make(tenant_id, email: str, role: str = "consultant", **fields) -> uuid.UUID:
        with app.app_context(), tenant_context.tenant_scope(tenant_id):
            user = User(email=email, name=fields.pop("name", email.split("@")[0].title()), role=role, **fields)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            return user.id
    return _make


@pytest.fixture
def make_project(app):
    def _make(tenant_id, code: str = "P1", **fields) -> uuid.UUID:
        with app.app_context(), tenant_context.tenant_scope(tenant_id):
            project = Project(code=code, name=fields.pop("name", f"Project {code}"), **fields)
            db.session.add(project)
            db.session.commit()
            return project.id
    return _make


@pytest.fixture
def tenant_a(make_tenant):
    return make_tenant("alpha")


@pytest.fixture
def tenant_b(make_tenant):
    return make_tenant("bravo")


@pytest.fixture
def admin_a(client, tenant_a) -> Api:
    return login(client, tenant_a["admin_email"])


@pytest.fixture
def admin_b(client, tenant_b) -> Api:
    return login(client, tenant_b["admin_email"])


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count -> SQL statements executed in the block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list = []

        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):
            counter.count += 1
            counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return _count
