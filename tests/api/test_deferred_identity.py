"""Issue 14: a request whose session check came from its snapshot builds the ORM user, tenant and session only when
something reads them (app/web/identity.py, `row_snapshots.Frozen`); the worker parses each snapshot text once and
each set of query arguments once (row_snapshots `_decoded`, app/web/http.py `load_args`). Every test here would fail
if a shortcut answered with another request's values."""

import json

import pytest
from flask import g
from marshmallow import fields
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuthSession, Tenant, User
from app.schemas.common import CommaSeparated, QueryArgs
from app.services import identity_cache, row_snapshots
from app.services.row_snapshots import Frozen, RowCodec
from app.utils import tenant_context
from app.web import identity
from app.web.http import load_args

USER, TENANT = identity_cache.USER_CODEC, identity_cache.TENANT_CODEC


@pytest.fixture
def thaws(monkeypatch):
    """How many ORM objects were built from snapshots."""
    built = []
    original = RowCodec.thaw

    def counting(self, decoded, fill_present=True):
        built.append(self.cls.__name__)
        return original(self, decoded, fill_present)

    monkeypatch.setattr(RowCodec, "thaw", counting)
    return built


def _warm(api, url):
    for _ in range(2):
        assert api.get(url).status_code == 200


def test_a_cached_project_list_builds_no_orm_identity(admin_a, thaws, count_queries):
    _warm(admin_a, "/api/v1/projects")
    thaws.clear()
    with count_queries() as counter:
        response = admin_a.get("/api/v1/projects")
    assert response.status_code == 200
    assert counter.count == 0 and thaws == []


def test_a_handler_that_reads_the_user_gets_the_orm_objects(admin_a, tenant_a, thaws):
    _warm(admin_a, "/api/v1/auth/me")
    thaws.clear()
    db.session.expunge_all()  # as in production, the request starts with an empty session
    me = admin_a.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["email"] == tenant_a["admin_email"]
    assert sorted(thaws) == ["AuthSession", "Tenant", "User"]


def test_a_role_change_reaches_the_checks_of_a_warm_session(admin_a, tenant_a):
    _warm(admin_a, "/api/v1/projects")
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(update(User).where(User.email == tenant_a["admin_email"]).values(role="viewer"))
        db.session.commit()
    refused = admin_a.post("/api/v1/projects", json={"code": "NEW", "name": "New"})
    assert refused.status_code == 403  # `requires` read the role from the new snapshot, not the old one


def _frozen_user(app, tenant_a) -> Frozen:
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        user = db.session.execute(select(User).where(User.email == tenant_a["admin_email"])).scalar_one()
        return Frozen(USER, USER.decode(USER.freeze(user)))


def test_a_frozen_row_reads_columns_properties_and_defaults_but_not_what_it_left_out(app, tenant_a):
    frozen = _frozen_user(app, tenant_a)
    assert frozen.email == tenant_a["admin_email"] and frozen.role == "admin"
    assert frozen.is_deleted is False  # a property, evaluated on the stored values
    assert frozen.token_project_ids is None  # a plain class default
    with pytest.raises(AttributeError, match="not in the snapshot"):
        _ = frozen.password_hash  # left out of every snapshot
    with pytest.raises(AttributeError):
        _ = frozen.no_such_thing


def _frozen(codec, obj) -> Frozen:
    return Frozen(codec, codec.decode(codec.freeze(obj)))


def test_a_late_thaw_keeps_what_the_request_wrote(app, admin_a, tenant_a):
    with app.test_request_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        user = db.session.execute(select(User).where(User.email == tenant_a["admin_email"])).scalar_one()
        session = db.session.execute(select(AuthSession).where(AuthSession.user_id == user.id)).scalars().first()
        frozen = (
            _frozen(USER, user),
            _frozen(TENANT, db.session.execute(select(Tenant)).scalar_one()),
            _frozen(identity_cache._SESSION, session),
        )
        db.session.expunge_all()
        identity.bind(*frozen)
        assert "current_user" in g and g.principal.name == user.name
        renamed = db.session.execute(select(User).where(User.id == user.id)).scalar_one()
        renamed.name = "Renamed In This Request"
        db.session.commit()
        assert g.current_user is renamed and g.current_user.name == "Renamed In This Request"
        assert g.auth_session.id == session.id and g.current_tenant.id == tenant_a["tenant_id"]


def test_a_request_cannot_change_a_workers_parsed_snapshot(app, tenant_a):
    with tenant_context.tenant_scope(tenant_a["tenant_id"]):
        tenant = db.session.execute(select(Tenant)).scalar_one()
        text = json.dumps(row_snapshots.freeze_parts((TENANT,), ("tenant",), (tenant,), "e"))
        db.session.expunge_all()
        (values,) = row_snapshots.decode_parts(text, "e", (TENANT,), ("tenant",))
        working_days = list(values["working_days"])
        TENANT.thaw(values).working_days.append(6)
        Frozen(TENANT, values).working_days.append(5)
        (again,) = row_snapshots.decode_parts(text, "e", (TENANT,), ("tenant",))
        assert again["working_days"] == working_days
        assert row_snapshots.decode_parts(text, "other-epochs", (TENANT,), ("tenant",)) is None
        db.session.rollback()


class _ListArgs(QueryArgs):
    status = CommaSeparated(fields.String())


def test_remembered_query_arguments_are_each_requests_own(app):
    with app.test_request_context("/?status=open,closed"):
        first = load_args(_ListArgs)
        first["status"].append("changed by this handler")
        first["extra"] = True
    with app.test_request_context("/?status=open,closed"):
        assert load_args(_ListArgs) == {"status": ["open", "closed"]}


def test_a_refused_query_is_refused_every_time(admin_a):
    for _ in range(2):  # never remembered
        refused = admin_a.get("/api/v1/projects?limit=0")
        assert refused.status_code == 422 and "limit" in refused.json["errors"]
    assert admin_a.get("/api/v1/projects?limit=1").status_code == 200


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "not-a-uuid"},
        {"sub": ["a", "list"]},
        {"sub": 42},
        {"sub": None},
        {"tid": {"a": "dict"}},
    ],
)
def test_a_malformed_id_claim_is_no_identity_whatever_its_type(app, claims):
    """The claims' ids are parsed once per worker (auth_service `_claimed_id`); a claim that is no id text is refused
    as before, never a 500 (a list or dict cannot even be a memo key)."""
    from app.services import auth_service

    ids = {"tid": "7b0c8a52-9d0e-4b1c-8f7e-2f4d0b6f9a11", "sub": "1f1e1d1c-0000-4000-8000-000000000001"}
    with app.test_request_context():
        payload = {**ids, "sid": "1f1e1d1c-0000-4000-8000-000000000002", "type": "access", **claims}
        assert auth_service._load_identity(payload) is None
        assert auth_service._claimed_id(ids["sub"]) is auth_service._claimed_id(ids["sub"])
