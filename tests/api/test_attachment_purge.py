"""The purge job (Celery beat, hourly): content of attachments deleted — or whose work item was deleted —
longer ago than the tenant's retention is removed from storage; everything else stays, byte for byte."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import celery, db
from app.models import Attachment
from app.utils import clock, tenant_context
from tests.fixtures.attachments import PDF, upload

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _purge() -> dict:
    return celery.tasks["meridian.attachments.purge_expired"].apply().get()


def _rows(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        rows = db.session.execute(select(Attachment), execution_options={"include_deleted": True}).scalars().all()
        return {row.filename: (row.storage_key, row.purged_at) for row in rows}


def test_the_purge_follows_each_tenants_retention(app, work_items, local_store, make_tenant):
    admin, urls = work_items["api"]["admin"], work_items["urls"]
    etag = admin.get("/api/v1/attachment-settings").headers["ETag"]
    admin.put("/api/v1/attachment-settings", json={"retention_days": 10}, headers={"If-Match": etag})
    with clock.freeze(START):
        kept = upload(admin, urls["defect"], "kept.pdf", PDF).json
        deleted = upload(admin, urls["defect"], "deleted.pdf", PDF).json
        on_deleted_item = upload(admin, urls["backlog_item"], "item.pdf", PDF).json
        admin.delete(f"/api/v1/attachments/{deleted['id']}")
        admin.delete(urls["backlog_item"])
    make_tenant("quiet")  # another tenant with nothing to purge runs under its own scope

    with clock.freeze(START + timedelta(days=9)):
        assert _purge()["purged"] == 0
        assert admin.post(f"/api/v1/attachments/{deleted['id']}/restore").status_code == 200  # still restorable
        admin.delete(f"/api/v1/attachments/{deleted['id']}")

    with clock.freeze(START + timedelta(days=11)):
        totals = _purge()
    assert totals["tenants"] >= 2
    rows = _rows(app, work_items["tenant_id"])
    assert rows["kept.pdf"][1] is None and (local_store / rows["kept.pdf"][0]).read_bytes() == PDF
    assert rows["item.pdf"][1] is not None and not (local_store / rows["item.pdf"][0]).exists()
    # deleted again on day 9: its own ten days have not passed
    assert rows["deleted.pdf"][1] is None and (local_store / rows["deleted.pdf"][0]).exists()

    with clock.freeze(START + timedelta(days=20)):
        assert _purge()["purged"] == 1
        assert admin.post(f"/api/v1/attachments/{deleted['id']}/restore").status_code == 404
        assert admin.get(kept["content_url"]).data == PDF
        # the work item comes back, but its purged file does not
        assert admin.post(f"{urls['backlog_item']}/restore").status_code == 200
        assert admin.get(f"{urls['backlog_item']}/attachments").json["total"] == 0
        assert admin.get(on_deleted_item["content_url"]).status_code == 404
    assert totals["purged"] == 1


def test_purged_content_no_longer_counts_against_the_quota(app, work_items, local_store):
    admin, url = work_items["api"]["admin"], work_items["urls"]["requirement"]
    etag = admin.get("/api/v1/attachment-settings").headers["ETag"]
    admin.put(
        "/api/v1/attachment-settings", json={"retention_days": 0, "quota_bytes": len(PDF)}, headers={"If-Match": etag}
    )
    with clock.freeze(START):
        first = upload(admin, url, "a.pdf", PDF).json
        admin.delete(f"/api/v1/attachments/{first['id']}")
        assert upload(admin, url, "b.pdf", PDF).status_code == 422
    with clock.freeze(START + timedelta(seconds=1)):
        assert _purge()["purged"] == 1
        assert upload(admin, url, "b.pdf", PDF).status_code == 201


def test_beat_runs_the_purge_every_hour():
    entry = celery.conf.beat_schedule["attachments-purge"]
    assert entry == {"task": "meridian.attachments.purge_expired", "schedule": 3600.0}
