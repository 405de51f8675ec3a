"""Full and delta sync of 50,000 Trendyol order packages against the stand-in (issue 20), through the real
path: connector -> gateway (token bucket of the connection's rate budget, call log) -> stand-in over a
socket -> idempotent bulk upsert. Reports wall time, calls, pages, rows and rows per second.

The full sync reads 85 days as 14-day stream windows, 4 windows in flight; the delta sync reads from the
high-water mark after 500 packages changed status and 200 new ones arrived. The gateway's bucket (15
calls/s, bursts of 10: under Trendyol's 1000 requests a minute) bounds the full sync from below at
calls / 15 s, which the report prints beside the measured time.
Run: `.venv/bin/python bench/marketplace_sync.py` (SQLite) or with BENCH_DATABASE_URL=postgresql+psycopg://...
"""
import os
import time
from datetime import timedelta

from common import bench_app, bench_tenant, drop

from app.extensions import db
from app.integrations.sandbox import TrendyolSandbox
from app.models import MarketplacePackage, Project
from app.services import integration_service
from app.services.marketplace import stores, sync
from app.utils import tenant_context
from app.utils.clock import utcnow

PACKAGES = int(os.environ.get("BENCH_PACKAGES", "50000"))


def main():
    app, url = bench_app()
    sandbox = TrendyolSandbox(seller_id="2738", api_key="bench-key", api_secret="bench-secret")
    now = utcnow()
    sandbox.seed_packages(PACKAGES, now - timedelta(days=85), now - timedelta(minutes=10))
    sandbox.start()
    try:
        with app.app_context():
            tenant_id, admin_id = bench_tenant("market")
            with tenant_context.tenant_scope(tenant_id, admin_id):
                project = Project(code="MKT", name="Marketplace bench")
                db.session.add(project)
                db.session.commit()
                connection, _ = integration_service.create_connection({
                    "kind": "trendyol", "name": "Trendyol bench",
                    "config": {"base_url": sandbox.url, "seller_id": "2738", "api_key": "bench-key"},
                    "secrets": {"api_secret": "bench-secret"},
                })
                connection.is_active = True
                db.session.commit()
                store = stores.create_store(project, {"connection_id": connection.id})

                started = time.perf_counter()
                full = sync.sync_store(store, "full")
                full_seconds = time.perf_counter() - started
                rows = db.session.query(MarketplacePackage).count()

                later = utcnow()
                for package_id in list(sandbox.packages)[:500]:
                    sandbox.set_status(package_id, "Shipped", later - timedelta(seconds=30))
                for number in range(1, 201):
                    sandbox.add_package(number, later - timedelta(seconds=20))
                started = time.perf_counter()
                delta = sync.sync_store(store, "delta")
                delta_seconds = time.perf_counter() - started
                shipped = db.session.query(MarketplacePackage).filter(MarketplacePackage.status == "Shipped").count()
        print(f"database: {url.split(':')[0]}  packages in the stand-in: {PACKAGES}")
        print(f"full sync:  {full['packages']} packages in {full_seconds:.1f} s  ({full['packages'] / full_seconds:.0f}/s), "
              f"{full['calls']} calls, {full['pages']} stream pages; bucket floor {full['calls'] / 15:.1f} s; rows stored {rows}")
        print(f"delta sync: {delta['packages']} packages in {delta_seconds:.2f} s, {delta['calls']} calls, "
              f"{delta['pages']} stream pages; shipped rows now {shipped}")
    finally:
        sandbox.stop()
        drop(app)


if __name__ == "__main__":
    main()
