"""The migrations are the schema: `flask db upgrade` on an empty database must yield exactly the models.

House rule (migrations/README): every schema change is `flask --app wsgi db migrate -m "..."`, read and
fixed by hand, and this test stays green. It runs on SQLite (a fresh file) always, and on PostgreSQL when
TEST_DATABASE_URL is set, in a throwaway database of its own so the suite's test database is untouched.

Each case builds its own app; Flask-SQLAlchemy keeps one engine per app, so the session `app` fixture and
its database are not disturbed. The global Celery task base, which create_app() rebinds, is put back
afterwards.
"""

import os
import re
import uuid
from contextlib import contextmanager

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ForeignKeyConstraint, UniqueConstraint, create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import celery, db

MIGRATIONS_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "migrations"
)
APP_IMPORT = re.compile(r"^\s*(from|import)\s+app(\.|\s|$)", re.MULTILINE)


@contextmanager
def _migration_app(url: str):
    """An app on `url` (no Redis), restoring the process-wide Celery task base create_app() rebinds."""
    saved_task = celery.Task
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": ""})
    try:
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()  # no connection outlives the test (the throwaway database is dropped)
    finally:
        celery.Task = saved_task


@contextmanager
def _throwaway_postgres_database(base_url: str):
    """A new, empty database on the server of `base_url`; dropped afterwards."""
    url = make_url(base_url)
    name = f"meridian_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base_url = os.environ.get("TEST_DATABASE_URL", "")
    if not base_url.startswith("postgresql"):
        message = "needs PostgreSQL (TEST_DATABASE_URL)"
        if os.environ.get("REQUIRE_SERVICES") == "1":  # CI: fail instead of skipping (tests/services/conftest.py)
            pytest.fail(message + ", and REQUIRE_SERVICES=1")
        pytest.skip(message)
    with _throwaway_postgres_database(base_url) as url:
        yield url


def _schema_diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def _named_schema_objects(connection) -> set[tuple]:
    """(table, kind, name, columns) of every primary key, foreign key, unique constraint and index,
    as the database has them. compare_metadata matches foreign keys and primary keys by their columns
    only; this also holds the names (the metadata's naming convention) to account."""
    inspector = inspect(connection)
    found = set()
    for table in db.metadata.tables:
        pk = inspector.get_pk_constraint(table)
        found.add((table, "pk", pk["name"], tuple(pk["constrained_columns"])))
        for fk in inspector.get_foreign_keys(table):
            found.add((table, "fk", fk["name"], tuple(fk["constrained_columns"])))
        for uq in inspector.get_unique_constraints(table):
            found.add((table, "uq", uq["name"], tuple(uq["column_names"])))
        for index in inspector.get_indexes(table):
            if not index.get("duplicates_constraint"):  # PostgreSQL/MySQL back unique constraints with one
                columns = tuple(name if name is not None else "<expression>" for name in index["column_names"])
                found.add((table, "ix", index["name"], columns))
    return found


def _index_applies(index, dialect_name: str) -> bool:
    """An index declared with .ddl_if(dialect=...) (e.g. a PostgreSQL-only GIN index) exists only there."""
    condition = getattr(index, "_ddl_if", None)
    return (
        condition is None
        or condition.dialect is None
        or dialect_name in ((condition.dialect,) if isinstance(condition.dialect, str) else condition.dialect)
    )


def _index_columns(index) -> tuple:
    return tuple(
        e.name if hasattr(e, "table") and getattr(e, "name", None) else "<expression>" for e in index.expressions
    )


def _declared_schema_objects(dialect_name: str) -> set[tuple]:
    declared = set()
    for table in db.metadata.tables.values():
        declared.add((table.name, "pk", table.primary_key.name, tuple(c.name for c in table.primary_key.columns)))
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint):
                declared.add((table.name, "fk", constraint.name, tuple(constraint.column_keys)))
            elif isinstance(constraint, UniqueConstraint):
                declared.add((table.name, "uq", constraint.name, tuple(c.name for c in constraint.columns)))
        for index in table.indexes:
            if _index_applies(index, dialect_name):
                declared.add((table.name, "ix", index.name, _index_columns(index)))
    return declared


def _assert_schema_is_exactly_the_models(connection) -> None:
    assert _table_names(connection) == set(db.metadata.tables) | {"alembic_version"}
    assert _schema_diff(connection) == []
    assert _named_schema_objects(connection) == _declared_schema_objects(connection.dialect.name)


def _table_names(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_upgrade_on_an_empty_database_yields_exactly_the_models(empty_database_url):
    with _migration_app(empty_database_url) as app:
        assert app.extensions["migrate"].directory == MIGRATIONS_DIR
        with db.engine.connect() as conn:
            assert _table_names(conn) == set()

        flask_migrate.upgrade()

        with db.engine.connect() as conn:
            _assert_schema_is_exactly_the_models(conn)


def test_downgrade_to_base_drops_everything_and_upgrade_works_again(empty_database_url):
    with _migration_app(empty_database_url):
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")

        with db.engine.connect() as conn:
            assert _table_names(conn) == {"alembic_version"}
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 0
            if conn.dialect.name == "postgresql":
                # Nothing left behind outside tables either: indexes, sequences, views, enum types.
                leftovers = (
                    conn.execute(
                        text(
                            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'public' AND c.relname NOT LIKE 'alembic_version%' "
                            "UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                            "WHERE n.nspname = 'public' AND t.typtype = 'e'"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert leftovers == []
            else:
                leftovers = (
                    conn.execute(
                        text(
                            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'alembic_version%' "
                            "AND name NOT LIKE 'sqlite_%'"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert leftovers == []

        flask_migrate.upgrade()

        with db.engine.connect() as conn:
            _assert_schema_is_exactly_the_models(conn)


def test_migrations_have_a_single_head_and_import_no_app_code():
    script = ScriptDirectory(MIGRATIONS_DIR)
    assert len(script.get_heads()) == 1, "branched migrations: merge them (flask --app wsgi db merge heads)"
    for revision in script.walk_revisions():
        with open(revision.path, encoding="utf-8") as source:
            code = source.read()
        # A migration is frozen history: it must not change when app code does.
        assert not APP_IMPORT.search(code), f"{revision.path} imports app code; render plain types instead"
