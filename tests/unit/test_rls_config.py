"""app/rls.py refuses a half configuration: with an app role but no system role, every `unscoped()` read
(login by e-mail among them) would quietly find nothing under row-level security."""

import pytest
from sqlalchemy import create_engine

from app import rls


def test_an_app_role_without_a_system_role_refuses_to_start():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    with pytest.raises(RuntimeError, match="DATABASE_SYSTEM_ROLE"):
        rls.install(engine, "meridian_app", "")


def test_the_system_role_defaults_to_the_one_the_migrations_create(app):
    assert app.config["DATABASE_SYSTEM_ROLE"] == "meridian_system"
