import uuid

import pytest

from app.extensions import db
from app.integrations import alm_gateway
from app.integrations.alm_gateway import ALMGateway


@pytest.fixture(autouse=True)
def no_wall_clock_backoff(monkeypatch):
    waits = []
    monkeypatch.setattr(alm_gateway, "backoff_sleep", waits.append)
    return waits


@pytest.fixture
def connector_for(app, tenant_a):
    """connector_for(cls, config, secrets) -> (connector, sleeps): a connector on a real gateway."""

    def _make(cls, config, secrets):
        sleeps = []
        profile = cls.build_profile(tenant_a["tenant_id"], uuid.uuid4(), config, secrets)
        gateway = ALMGateway(
            profile,
            store=app.extensions["kv"],
            keyring=app.extensions["crypto"],
            engine=db.engine,
            allowlist=["127.0.0.1:*"],
            sleep=sleeps.append,
        )
        return cls(gateway, config), sleeps

    return _make
