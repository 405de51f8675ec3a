"""Tests that need the real services (PostgreSQL, Redis, a Celery worker). They skip on the embedded
default, and fail instead of skipping when REQUIRE_SERVICES=1 (CI)."""
import os

import pytest


@pytest.fixture
def real_services(app):
    missing = [name for name, ok in (("PostgreSQL (TEST_DATABASE_URL)", app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")),
                                     ("Redis (TEST_REDIS_URL)", bool(app.config["REDIS_URL"]))) if not ok]
    if missing:
        message = "needs " + " and ".join(missing)
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message + ", and REQUIRE_SERVICES=1")
        pytest.skip(message)
    return app
