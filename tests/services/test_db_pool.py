"""Issue 14: on PostgreSQL a checkout costs no round trip (no pre-ping), yet a pooled connection whose backend
was terminated (server restart, pg_terminate_backend) is replaced at checkout instead of failing a request."""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.rls import owner_connection

pytestmark = pytest.mark.services


def test_a_terminated_pooled_connection_is_replaced_at_checkout(real_services):
    with real_services.app_context():
        engine = db.engine
        assert engine.pool._pre_ping is False  # the socket check replaces the ping
        with owner_connection(engine) as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            conn.rollback()
        outsider = create_engine(engine.url, poolclass=NullPool)  # not from the pool: it must not be the victim
        with outsider.connect() as killer:
            assert killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        outsider.dispose()
        time.sleep(0.2)  # the server's goodbye reaches the idle socket
        with owner_connection(engine) as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
            conn.rollback()
