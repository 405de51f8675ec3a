"""The demo tenant's integrations: SAP Cloud ALM and Dynamics 365 connections pointing at the sandbox
stand-ins `make run` starts on loopback, so every button of the hub does something real."""

import hashlib
import uuid
from datetime import timedelta

from sqlalchemy import insert

from app.extensions import db
from app.models import GatewayCallLog, IntegrationConnection, IntegrationSyncRun
from app.utils.clock import utcnow
from app.utils.crypto import encrypt

ALM_SANDBOX = "http://127.0.0.1:8701"
D365_SANDBOX = "http://127.0.0.1:8702"


def build_integrations_demo(tenant_id, admin_id) -> None:
    now = utcnow()
    alm = _connection(
        tenant_id,
        "cloud_alm",
        "SAP Cloud ALM – Anatolia Foods",
        {
            "base_url": ALM_SANDBOX,
            "token_url": ALM_SANDBOX + "/oauth/token",
            "client_id": "meridian-demo",
            "project_id": "d1c6c8e4-0f4a-4a44-9d1b-5a0e7c0a1001",
        },
        "sandbox-secret-alm",
    )
    alm.is_active, alm.last_test_at, alm.last_test_status = True, now - timedelta(hours=3), "ok"
    alm.last_test_message = "Connected to SAP Cloud ALM; 0 task(s) visible."
    alm.last_sync_at = now - timedelta(hours=3)
    d365 = _connection(
        tenant_id,
        "d365",
        "Dynamics 365 Sales – Rheinwerk",
        {
            "org_url": D365_SANDBOX,
            "tenant_id": "rheinwerk.onmicrosoft.com",
            "token_url": D365_SANDBOX + "/rheinwerk.onmicrosoft.com/oauth2/v2.0/token",
            "client_id": "7d1e5f3a-demo-4c1b-9b1e-meridian0365",
        },
        "sandbox-secret-d365",
    )
    db.session.add_all([alm, d365])
    db.session.flush()
    for days_ago, status, error in (
        (6, "failed", "The service answered HTTP 503."),
        (2, "succeeded", None),
        (0, "succeeded", None),
    ):
        started = now - timedelta(days=days_ago, hours=3)
        db.session.add(
            IntegrationSyncRun(
                connection_id=alm.id,
                operation="test",
                status=status,
                error=error,
                triggered_by="manual",
                started_by=admin_id,
                started_at=started,
                finished_at=started + timedelta(milliseconds=840),
                duration_ms=840,
            )
        )
    db.session.commit()
    calls = [(6, 503, 3, "The service answered HTTP 503.", 2310), (2, 200, 1, None, 188), (0, 200, 1, None, 142)]
    for days_ago, code, attempt, error, latency in calls:
        db.session.execute(
            insert(GatewayCallLog.__table__).values(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                connection_id=alm.id,
                connection_kind="cloud_alm",
                user_id=admin_id,
                method="GET",
                path="/api/calm-tasks/v1/tasks",
                payload_hash=None,
                response_code=code,
                latency_ms=latency,
                attempt=attempt,
                error=error,
                created_at=now - timedelta(days=days_ago, hours=3),
            )
        )
    db.session.execute(
        insert(GatewayCallLog.__table__).values(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            connection_id=alm.id,
            connection_kind="cloud_alm",
            user_id=admin_id,
            method="POST",
            path="/api/calm-tasks/v1/tasks",
            payload_hash=hashlib.sha256(b'{"title":"REQ-0001"}').hexdigest(),
            response_code=201,
            latency_ms=231,
            attempt=1,
            error=None,
            created_at=now - timedelta(days=2, hours=2),
        )
    )
    d365.is_active, d365.last_test_at, d365.last_test_status = True, now - timedelta(hours=1), "ok"
    d365.last_test_message = "Connected to Dynamics 365."
    db.session.commit()
    from app.demo.leads import build_leads_demo

    build_leads_demo(tenant_id, admin_id)


def _connection(tenant_id, kind, name, config, client_secret) -> IntegrationConnection:
    webhook_secret = "whsec_" + hashlib.sha256(f"demo-{kind}".encode()).hexdigest()[:32]
    return IntegrationConnection(
        tenant_id=tenant_id,
        kind=kind,
        name=name,
        config=config,
        secrets={
            "client_secret": encrypt(client_secret, tenant_id=tenant_id, field="client_secret"),
            "webhook_secret": encrypt(webhook_secret, tenant_id=tenant_id, field="webhook_secret"),
        },
    )
