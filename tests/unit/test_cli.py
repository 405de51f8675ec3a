import json

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Project, Tenant, User
from app.utils import tenant_context


def test_create_tenant_prints_ids(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-tenant",
            "--name",
            "Acme SI",
            "--slug",
            "acme",
            "--admin-email",
            "boss@acme.test",
            "--admin-password",
            "Very-Secret-99",
            "--tier",
            "pro",
        ]
    )
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output.strip().splitlines()[-1])
    with app.app_context(), tenant_context.tenant_scope(ids["tenant_id"]):
        user = db.session.execute(select(User)).scalar_one()
        assert str(user.id) == ids["user_id"] and user.role == "admin"
        assert db.session.execute(select(Tenant.tier)).scalar_one() == "pro"


def test_create_tenant_refuses_a_taken_slug(app):
    runner = app.test_cli_runner()
    args = [
        "create-tenant",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "a@acme.test",
        "--admin-password",
        "Very-Secret-99",
    ]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args[:-3] + ["b@acme.test", "--admin-password", "Very-Secret-99"])
    assert again.exit_code != 0 and "slug" in again.output


def test_seed_demo_builds_every_role_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "admin@demo.test" in first.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), tenant_context.unscoped():
        assert db.session.execute(select(func.count(Tenant.id))).scalar() == 1
        roles = set(db.session.execute(select(User.role)).scalars())
        projects = db.session.execute(select(Project)).scalars().all()
    assert roles == {"admin", "pm", "consultant", "support", "approver", "customer", "viewer"}
    assert len(projects) == 2 and any(p.phase == "run" and p.hypercare_start for p in projects)


def test_seed_demo_refuses_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    prod = create_app(
        "production", {"SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40, "ENCRYPTION_KEYS": "k1:" + "B" * 43 + "="}
    )
    with prod.app_context():  # pytest-flask has the test app's context pushed; the command must see prod's
        result = prod.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output, result.output


def test_production_refuses_to_start_with_development_secrets(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
