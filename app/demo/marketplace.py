"""Demo marketplace stores (issue 20): one Trendyol and one Hepsiburada store on the demo project, pointing at
the stand-ins `make run` starts (127.0.0.1:8703 and :8704), and a day of orders in each stand-in."""

import random
from datetime import timedelta

from app.extensions import db
from app.integrations.hepsiburada import mapping as hepsiburada_mapping
from app.integrations.sandbox import HepsiburadaSandbox, TrendyolSandbox
from app.integrations.trendyol import mapping as trendyol_mapping
from app.models import IntegrationConnection, MarketplaceStore, MarketplaceSyncState, OrderFlowRule
from app.services.marketplace import upsert
from app.utils.clock import utcnow
from app.utils.crypto import encrypt

TRENDYOL_PORT, HEPSIBURADA_PORT = 8703, 8704
TRENDYOL = {"seller_id": "2738", "api_key": "ty-demo-key", "api_secret": "ty-demo-secret"}
HEPSIBURADA = {"merchant_id": "3f95e71f-0000-4266-9eb4-c154807e87f7", "service_key": "HBdemo123456"}
WEBHOOK = {"username": "hepsiburada-demo", "password": "HB-webhook-demo-2026"}


def fill_sandboxes(trendyol, hepsiburada, seed: int = 20):
    """A day of orders (busier in the evening, as Turkish e-commerce is), a small catalogue, and a few
    Hepsiburada lines still waiting to be packed."""
    rng = random.Random(seed)
    now = utcnow()
    number = 0
    for minutes_ago in range(24 * 60, 0, -1):
        hour = (now - timedelta(minutes=minutes_ago)).hour + 3  # Istanbul
        if rng.random() < (0.35 if 17 <= hour % 24 <= 23 else 0.12):
            number += 1
            at = now - timedelta(minutes=minutes_ago)
            status = "Created" if minutes_ago < 90 else rng.choice(("Picking", "Invoiced", "Shipped", "Shipped"))
            trendyol.add_package(700_000 + number, at, status, at + timedelta(minutes=rng.randint(0, 30)))
            if minutes_ago < 240 and rng.random() < 0.4:
                hepsiburada.add_line(line_id=f"demo-line-{number}", ordered_at=at)
    for index in range(1, 41):
        trendyol.add_product(f"869{index:010d}", f"Demo ürün {index}", now - timedelta(days=index))
        hepsiburada.add_listing(f"HBV0000{index:06d}", f"SKU-{index}")
    return trendyol, hepsiburada


def build_marketplace_demo(project, owner) -> None:
    """The two stores on the project in hypercare, their rules, and the day of orders already synced."""
    now = utcnow()
    trendyol = _connection(
        project.tenant_id,
        "trendyol",
        "Trendyol – Rheinwerk Outlet",
        {
            "base_url": f"http://127.0.0.1:{TRENDYOL_PORT}",
            "seller_id": TRENDYOL["seller_id"],
            "api_key": TRENDYOL["api_key"],
            "integrator": "SelfIntegration",
        },
        {"api_secret": TRENDYOL["api_secret"]},
    )
    hepsiburada = _connection(
        project.tenant_id,
        "hepsiburada",
        "Hepsiburada – Rheinwerk Outlet",
        {
            "environment": "sit",
            "merchant_id": HEPSIBURADA["merchant_id"],
            "integrator_username": "rheinwerk_dev",
            "oms_url": f"http://127.0.0.1:{HEPSIBURADA_PORT}",
            "listing_url": f"http://127.0.0.1:{HEPSIBURADA_PORT}",
            "webhook_username": WEBHOOK["username"],
        },
        {"service_key": HEPSIBURADA["service_key"], "webhook_password": WEBHOOK["password"]},
    )
    db.session.add_all([trendyol, hepsiburada])
    db.session.flush()
    stores = []
    for connection, marketplace in ((trendyol, "trendyol"), (hepsiburada, "hepsiburada")):
        store = MarketplaceStore(
            project_id=project.id,
            connection_id=connection.id,
            name=connection.name.split("– ")[-1] + f" ({connection.name.split(' ')[0]})",
            marketplace=marketplace,
            timezone="Europe/Istanbul",
            business_days=[0, 1, 2, 3, 4, 5, 6],
            opens_at="08:00",
            closes_at="24:00",
            created_by=owner.id,
        )
        db.session.add(store)
        stores.append(store)
    db.session.flush()
    ty_box, hb_box = fill_sandboxes(TrendyolSandbox(), HepsiburadaSandbox())
    upsert.packages(
        stores[0], TRENDYOL["seller_id"], [trendyol_mapping.package(p) for p in ty_box.packages.values()], now
    )
    lines = [hepsiburada_mapping.order_line(line) for line in hb_box.lines.values()]
    upsert.packages(stores[1], HEPSIBURADA["merchant_id"], lines, now)
    for connection in (trendyol, hepsiburada):
        for resource in ("packages", "products"):
            db.session.add(
                MarketplaceSyncState(
                    connection_id=connection.id,
                    resource=resource,
                    high_water_mark=now,
                    last_mode="full",
                    last_status="succeeded",
                    last_started_at=now - timedelta(seconds=20),
                    last_finished_at=now,
                    last_count=len(ty_box.packages) if connection is trendyol else len(lines),
                    error_count=0,
                )
            )
    db.session.add_all(
        [
            OrderFlowRule(
                project_id=project.id,
                name="No orders for an hour",
                kind="no_orders",
                minutes=60,
                priority="p2",
                created_by=owner.id,
            ),
            OrderFlowRule(
                project_id=project.id,
                name="Unshipped backlog",
                kind="unshipped_backlog",
                max_packages=25,
                age_hours=24,
                priority="p2",
                created_by=owner.id,
            ),
        ]
    )
    db.session.commit()


def _connection(tenant_id, kind, name, config, secrets) -> IntegrationConnection:
    now = utcnow()
    return IntegrationConnection(
        tenant_id=tenant_id,
        kind=kind,
        name=name,
        config=config,
        secrets={field: encrypt(value, tenant_id=tenant_id, field=field) for field, value in secrets.items()},
        is_active=True,
        last_test_at=now,
        last_test_status="ok",
        last_test_message=f"Connected to {name.split(' ')[0]}.",
        last_sync_at=now,
    )
