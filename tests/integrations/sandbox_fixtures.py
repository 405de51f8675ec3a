"""Sandbox stand-ins on ephemeral loopback ports, for end-to-end tests over real sockets."""
import pytest

from app.integrations.sandbox import CloudALMSandbox, Dynamics365Sandbox

ALM_SECRET = "alm-sandbox-secret-Q9"
D365_SECRET = "d365-sandbox-secret-Z7"


@pytest.fixture
def alm_sandbox():
    server = CloudALMSandbox(client_id="meridian-test", client_secret=ALM_SECRET, slow_seconds=1.5).start()
    yield server
    server.stop()


@pytest.fixture
def d365_sandbox():
    server = Dynamics365Sandbox(client_id="d365-client", client_secret=D365_SECRET).start()
    yield server
    server.stop()


def alm_connection_body(server, name="SAP Cloud ALM (sandbox)", secret=ALM_SECRET) -> dict:
    return {"kind": "cloud_alm", "name": name,
            "config": {"base_url": server.url, "token_url": server.url + "/oauth/token", "client_id": "meridian-test"},
            "secrets": {"client_secret": secret}}


def d365_connection_body(server, secret=D365_SECRET) -> dict:
    return {"kind": "d365", "name": "Dynamics 365 (sandbox)",
            "config": {"base_url": server.url, "token_url": server.url + "/contoso.onmicrosoft.com/oauth2/v2.0/token",
                       "client_id": "d365-client"},
            "secrets": {"client_secret": secret}}
