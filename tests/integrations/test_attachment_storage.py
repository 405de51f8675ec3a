"""Both storage backends byte-exact: the local files and the S3 backend against a real S3-compatible server
process on loopback (moto's server mode, the stand-in for MinIO / AWS S3; tests/fixtures/attachments.py).
Through the API (upload, download, delete, purge) and through the backend interface itself."""

import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import celery, db
from app.models import Attachment
from app.services.attachments import storage
from app.utils import clock, tenant_context
from tests.fixtures.attachments import PDF, png_bytes, upload

BLOB = os.urandom(300_000)  # every byte value, no pattern: nothing on the way may "fix" it
DOCUMENT = PDF + BLOB  # sniffs as a PDF (the header is at the start)


def _keys(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        row = db.session.execute(select(Attachment), execution_options={"include_deleted": True}).scalar_one()
        return row.storage_key, row.thumbnail_key


@pytest.mark.parametrize("backend", ["local_store", "s3_store"])
def test_upload_and_download_round_trip_byte_exact(request, app, work_items, backend):
    request.getfixturevalue(backend)
    api, url = work_items["api"]["admin"], work_items["urls"]["test_execution"]
    created = upload(api, url, "evidence.pdf", DOCUMENT)
    assert created.status_code == 201, created.json
    assert created.json["sha256"] == hashlib.sha256(DOCUMENT).hexdigest()
    download = api.get(created.json["content_url"])
    assert download.status_code == 200
    assert download.data == DOCUMENT
    assert hashlib.sha256(download.data).hexdigest() == created.json["sha256"]
    assert download.headers["Content-Length"] == str(len(DOCUMENT))


def test_the_s3_object_is_keyed_by_tenant_and_random_id_and_typed_by_the_bytes(app, work_items, s3_store):
    api = work_items["api"]["customer"]
    image = png_bytes(800, 600)
    created = upload(api, work_items["urls"]["incident"], "Ekran görüntüsü.png", image, "application/x-msdownload")
    assert created.status_code == 201, created.json
    key, thumb_key = _keys(app, work_items["tenant_id"])
    assert key.startswith(f"tenants/{work_items['tenant_id']}/attachments/") and "Ekran" not in key
    stored = s3_store.client.get_object(Bucket=s3_store.bucket, Key=key)
    assert stored["Body"].read() == image
    assert stored["ContentType"] == "image/png"
    assert thumb_key == f"{key}.thumb"
    thumb = api.get(created.json["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.data.startswith(b"\x89PNG")


def test_the_purge_removes_the_s3_objects_of_files_deleted_longer_than_the_retention(app, work_items, s3_store):
    admin = work_items["api"]["admin"]
    etag = admin.get("/api/v1/attachment-settings").headers["ETag"]
    admin.put("/api/v1/attachment-settings", json={"retention_days": 7}, headers={"If-Match": etag})
    start = datetime.now(UTC)
    with clock.freeze(start):
        created = upload(admin, work_items["urls"]["requirement"], "shot.png", png_bytes()).json
        assert admin.delete(f"/api/v1/attachments/{created['id']}").status_code == 204
    key, thumb_key = _keys(app, work_items["tenant_id"])

    with clock.freeze(start + timedelta(days=6)):
        assert celery.tasks["meridian.attachments.purge_expired"].apply().get()["purged"] == 0
    assert s3_store.client.head_object(Bucket=s3_store.bucket, Key=key)
    assert s3_store.client.head_object(Bucket=s3_store.bucket, Key=thumb_key)

    with clock.freeze(start + timedelta(days=8)):
        assert celery.tasks["meridian.attachments.purge_expired"].apply().get()["purged"] == 1
    listed = s3_store.client.list_objects_v2(Bucket=s3_store.bucket).get("Contents", [])
    assert [obj["Key"] for obj in listed] == []
    assert admin.post(f"/api/v1/attachments/{created['id']}/restore").status_code == 404  # content gone for good


@pytest.mark.parametrize("backend", ["local_store", "s3_store"])
def test_the_backend_interface(request, app, backend):
    request.getfixturevalue(backend)
    store = storage.from_config(app.config)
    key = "tenants/t1/attachments/abc123"
    store.put(key, BLOB, "application/octet-stream")
    assert b"".join(store.get(key)) == BLOB
    store.delete(key)
    store.delete(key)  # deleting twice is fine: the purge may be retried
    with pytest.raises(storage.MissingObject):
        b"".join(store.get(key))
    for bad in ("../escape", "/absolute", "a//b", ""):
        with pytest.raises(ValueError):
            store.put(bad, b"x", "text/plain")


def test_an_unreachable_store_answers_503_and_stores_nothing(app, work_items, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_STORAGE", "s3")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: refused
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_BUCKET", "nowhere")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_ACCESS_KEY_ID", "x")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_SECRET_ACCESS_KEY", "x")
    refused = upload(work_items["api"]["admin"], work_items["urls"]["defect"], "x.pdf", PDF)
    assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        assert db.session.execute(select(Attachment.id)).first() is None


def test_a_fresh_store_gets_its_bucket_on_the_first_upload(app, s3_server, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_STORAGE", "s3")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_ENDPOINT_URL", s3_server)
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_BUCKET", "meridian-fresh-bucket")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_ACCESS_KEY_ID", "testing")
    monkeypatch.setitem(app.config, "ATTACHMENT_S3_SECRET_ACCESS_KEY", "testing")
    store = storage.from_config(app.config)
    store.put("tenants/t1/attachments/first", b"hello", "text/plain")
    assert b"".join(store.get("tenants/t1/attachments/first")) == b"hello"
