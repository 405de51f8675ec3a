"""Shared set-up for the gateway tests: a gateway on a fake public host, with recorded sleeps."""
import uuid

from app.extensions import db
from app.integrations.alm_gateway import ALMGateway, ConnectionProfile

SECRET = "s3cr3t-client-secret-XYZ"
TOKEN = "tok-AAA-111"
BASE = "https://alm.example.test"


def profile(tenant_id, **overrides) -> ConnectionProfile:
    values = dict(tenant_id=tenant_id, connection_id=uuid.uuid4(), kind="cloud_alm", base_url=BASE + "/api",
                  token_url=BASE + "/oauth/token", client_id="client-1", client_secret=SECRET)
    values.update(overrides)
    return ConnectionProfile(**values)


def gateway(app, prof, sleeps=None, **kwargs) -> ALMGateway:
    kwargs.setdefault("resolve", lambda host, port: ["20.30.40.50"])  # a public address, no DNS needed
    kwargs.setdefault("allowlist", [])
    return ALMGateway(prof, store=app.extensions["kv"], keyring=app.extensions["crypto"], engine=db.engine,
                      sleep=(sleeps.append if sleeps is not None else (lambda s: None)), rng=lambda: 0.5, **kwargs)


def token_response(rsps, token=TOKEN, expires_in=3600):
    return rsps.post(BASE + "/oauth/token", json={"access_token": token, "token_type": "bearer",
                                                  "expires_in": expires_in})
