import pytest

from app.integrations import alm_gateway


@pytest.fixture(autouse=True)
def no_wall_clock_backoff(monkeypatch):
    """Retries wait through `backoff_sleep`; the tests record the waits instead of sleeping them."""
    waits = []
    monkeypatch.setattr(alm_gateway, "backoff_sleep", waits.append)
    return waits
