"""Attachments over the API on the local backend: the round trip on every kind of work item, the download's
headers, the type decided by the bytes, limits and quota, delete/restore with the audit trail, who may do
what, and what a deleted work item hides."""

import hashlib
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, AuditSnapshot, ExploreRequirement
from app.utils import tenant_context
from tests.fixtures.attachments import CSV, EXE, PDF, jpeg_bytes, ooxml, plain_zip, png_bytes, upload

pytestmark = pytest.mark.usefixtures("local_store")


@pytest.mark.parametrize(
    "owner_type",
    ["incident", "change_request", "requirement", "backlog_item", "test_case", "test_execution", "defect"],
)
def test_upload_and_download_round_trip_byte_exact_on_every_work_item(work_items, owner_type):
    api, url = work_items["api"]["admin"], work_items["urls"][owner_type]
    data = PDF + bytes(range(256)) * 40  # every byte value, so nothing is "text-normalised" on the way

    created = upload(api, url, "Spec v2 (final).pdf", data, "text/html")  # the client's claim is ignored
    assert created.status_code == 201, created.json
    body = created.json
    assert {k: body[k] for k in ("filename", "content_type", "size", "sha256")} == {
        "filename": "Spec v2 (final).pdf",
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert body["created_by"] == str(work_items["users"]["admin"]) and body["created_at"]
    assert created.headers["Location"] == f"/api/v1/attachments/{body['id']}"

    listed = api.get(f"{url}/attachments")
    assert listed.status_code == 200 and listed.json["total"] == 1
    assert listed.json["items"][0]["id"] == body["id"]

    download = api.get(f"/api/v1/attachments/{body['id']}/content")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="Spec v2 (final).pdf"')


def test_the_object_key_carries_the_tenant_and_a_random_id_never_the_file_name(app, work_items, local_store):
    api = work_items["api"]["admin"]
    created = upload(api, work_items["urls"]["requirement"], "../../etc/passwd.txt", b"root:x:0:0\n").json
    assert created["filename"] == "passwd.txt"  # folders are never part of the name
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        key = db.session.execute(select(Attachment.storage_key)).scalar_one()
    assert key.startswith(f"tenants/{work_items['tenant_id']}/attachments/")
    assert "passwd" not in key
    assert (local_store / key).read_bytes() == b"root:x:0:0\n"


def test_a_non_ascii_name_is_offered_in_utf8_with_an_ascii_fallback(work_items):
    api = work_items["api"]["admin"]
    created = upload(api, work_items["urls"]["defect"], "Müşteri faturası.csv", CSV).json
    assert created["content_type"] == "text/csv"
    disposition = api.get(created["content_url"]).headers["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"Musteri faturas.csv\"; filename*=UTF-8''M%C3%BC%C5%9Fteri%20faturas%C4%B1.csv"
    )


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("screenshot.png", EXE, "Windows program"),  # a renamed executable
        ("invoice.pdf", EXE, "Windows program"),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n", "script"),
        ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>", "HTML page"),
        ("tool.zip", plain_zip({"META-INF/MANIFEST.MF": "Main-Class: X", "X.class": "\xca\xfe"}), "Java archive"),
        ("report.pdf", png_bytes(), "PNG image"),  # an honest file under a lying name
        ("photo.png", jpeg_bytes(), "JPEG image"),
        ("data.bin", bytes(range(256)), "unrecognised"),
    ],
)
def test_the_type_is_decided_by_the_bytes_and_a_lie_is_refused(app, work_items, filename, data, says):
    api = work_items["api"]["admin"]
    refused = upload(api, work_items["urls"]["requirement"], filename, data, "image/png")
    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    assert says in refused.json["detail"] and refused.json["errors"]["file"]
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        assert db.session.execute(select(Attachment.id)).first() is None  # nothing stored


def test_office_documents_text_and_zip_are_accepted_by_default(work_items):
    api, url = work_items["api"]["consultant"], work_items["urls"]["backlog_item"]
    accepted = {
        "design.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "plan.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "notes.txt": "text/plain",
        "export.csv": "text/csv",
        "bundle.zip": "application/zip",
        "shot.jpg": "image/jpeg",
    }
    payloads = {
        "design.docx": ooxml("word/document.xml"),
        "plan.xlsx": ooxml("xl/workbook.xml"),
        "notes.txt": b"plain words\n",
        "export.csv": CSV,
        "bundle.zip": plain_zip({"readme.txt": "hello", "data/rows.csv": "a,b"}),
        "shot.jpg": jpeg_bytes(),
    }
    for name, mime in accepted.items():
        response = upload(api, url, name, payloads[name])
        assert response.status_code == 201, (name, response.json)
        assert response.json["content_type"] == mime


def test_a_file_over_the_per_file_limit_is_413_with_the_numbers(work_items):
    admin = work_items["api"]["admin"]
    settings = admin.get("/api/v1/attachment-settings")
    changed = admin.put(
        "/api/v1/attachment-settings", json={"max_file_bytes": 1000}, headers={"If-Match": settings.headers["ETag"]}
    )
    assert changed.status_code == 200 and changed.json["max_file_bytes"] == 1000
    refused = upload(admin, work_items["urls"]["incident"], "big.txt", b"x" * 1001)
    assert refused.status_code == 413
    assert refused.json["max_bytes"] == 1000 and refused.json["size"] == 1001
    assert upload(admin, work_items["urls"]["incident"], "fits.txt", b"x" * 1000).status_code == 201


def test_a_file_larger_than_other_requests_may_be_is_accepted_up_to_the_tenants_limit(app, work_items):
    data = PDF + b"\0" * (3 * 1024 * 1024)  # over MAX_CONTENT_LENGTH (2 MB), under the default 10 MB per file
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    created = upload(work_items["api"]["admin"], work_items["urls"]["requirement"], "scan.pdf", data)
    assert created.status_code == 201, created.json
    assert work_items["api"]["admin"].get(created.json["content_url"]).data == data


def test_a_request_beyond_the_installation_ceiling_is_refused_before_it_is_read(app, work_items, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_UPLOAD_BYTES", 1000)
    refused = upload(work_items["api"]["admin"], work_items["urls"]["incident"], "big.txt", b"x" * 100_000)
    assert refused.status_code == 413 and refused.json["max_bytes"] == 1000


def test_the_quota_holds_and_counts_deleted_files_until_they_are_purged(work_items):
    admin = work_items["api"]["admin"]
    etag = admin.get("/api/v1/attachment-settings").headers["ETag"]
    assert (
        admin.put("/api/v1/attachment-settings", json={"quota_bytes": 2500}, headers={"If-Match": etag}).status_code
        == 200
    )
    url = work_items["urls"]["requirement"]
    first = upload(admin, url, "a.txt", b"a" * 1000).json
    assert upload(admin, url, "b.txt", b"b" * 1000).status_code == 201

    refused = upload(admin, url, "c.txt", b"c" * 1000)
    assert refused.status_code == 422
    assert (refused.json["quota_bytes"], refused.json["used_bytes"], refused.json["size"]) == (2500, 2000, 1000)
    assert refused.json["errors"]["file"]

    assert admin.delete(f"/api/v1/attachments/{first['id']}").status_code == 204
    assert upload(admin, url, "c.txt", b"c" * 1000).status_code == 422  # still held: it can be restored
    usage = admin.get("/api/v1/attachment-settings").json
    assert usage["used_bytes"] == 2000 and usage["quota_bytes"] == 2500
    assert upload(admin, url, "small.txt", b"s" * 500).status_code == 201


def test_the_allowlist_is_the_tenants_and_never_takes_programs(work_items):
    admin = work_items["api"]["admin"]
    settings = admin.get("/api/v1/attachment-settings")
    assert "application/pdf" in settings.json["allowed_types"]
    assert settings.json["max_upload_bytes"] >= settings.json["max_file_bytes"]
    assert any(t["mime"] == "image/bmp" for t in settings.json["known_types"])
    etag = settings.headers["ETag"]

    refused = admin.put(
        "/api/v1/attachment-settings",
        json={"allowed_types": ["application/vnd.microsoft.portable-executable"]},
        headers={"If-Match": etag},
    )
    assert refused.status_code == 422 and "allowed_types" in refused.json["errors"]

    narrowed = admin.put(
        "/api/v1/attachment-settings", json={"allowed_types": ["image/png"]}, headers={"If-Match": etag}
    )
    assert narrowed.status_code == 200 and narrowed.json["allowed_types"] == ["image/png"]
    stale = admin.put("/api/v1/attachment-settings", json={"retention_days": 1}, headers={"If-Match": etag})
    assert stale.status_code == 409
    refused_pdf = upload(admin, work_items["urls"]["defect"], "spec.pdf", PDF)
    assert refused_pdf.status_code == 422 and "not accepted" in refused_pdf.json["detail"]
    assert upload(admin, work_items["urls"]["defect"], "shot.png", png_bytes()).status_code == 201


def test_only_the_admin_changes_the_policy(work_items):
    pm = work_items["api"]["pm"]
    assert pm.get("/api/v1/attachment-settings").status_code == 200
    assert pm.put("/api/v1/attachment-settings", json={"retention_days": 1}).status_code == 403


def test_an_image_gets_a_png_thumbnail_served_inline(work_items):
    api = work_items["api"]["customer"]
    created = upload(api, work_items["urls"]["incident"], "screen.png", png_bytes(1600, 900)).json
    assert created["has_thumbnail"] is True
    thumb = api.get(created["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/png"
    assert thumb.headers["Content-Disposition"].startswith("inline;")
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(thumb.data)) as image:
        assert max(image.size) == 320 and image.size == (320, 180)
    pdf = upload(work_items["api"]["admin"], work_items["urls"]["incident"], "x.pdf", PDF).json
    assert pdf["thumbnail_url"] is None
    assert api.get(f"/api/v1/attachments/{pdf['id']}/thumbnail").status_code == 404


def test_delete_is_soft_audited_and_restorable(app, work_items):
    admin, url = work_items["api"]["admin"], work_items["urls"]["requirement"]
    created = upload(admin, url, "spec.pdf", PDF).json
    assert admin.delete(f"/api/v1/attachments/{created['id']}", headers={"If-Match": '"7"'}).status_code == 409
    assert admin.delete(f"/api/v1/attachments/{created['id']}").status_code == 204

    assert admin.get(f"{url}/attachments").json["total"] == 0
    assert admin.get(created["content_url"]).status_code == 404
    listed = admin.get(f"{url}/attachments", query_string={"include_deleted": "1"}).json
    assert listed["items"][0]["deleted_at"]

    restored = admin.post(f"/api/v1/attachments/{created['id']}/restore")
    assert restored.status_code == 200 and restored.json["deleted_at"] is None
    assert admin.get(created["content_url"]).data == PDF
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        changes = (
            db.session.execute(
                select(AuditSnapshot.change_type)
                .where(AuditSnapshot.entity_type == "Attachment")
                .order_by(AuditSnapshot.version)
            )
            .scalars()
            .all()
        )
    assert changes == ["INITIAL", "DELETE", "RESTORE"]


def test_who_may_attach_delete_and_restore(work_items):
    api, urls = work_items["api"], work_items["urls"]
    # The customer reports incidents and runs UAT: screenshots and evidence, yes; requirement files, no.
    mine = upload(api["customer"], urls["incident"], "screen.png", png_bytes())
    assert mine.status_code == 201
    assert upload(api["customer"], urls["test_execution"], "evidence.png", png_bytes()).status_code == 201
    assert upload(api["customer"], urls["requirement"], "spec.pdf", PDF).status_code == 403
    assert upload(api["viewer"], urls["requirement"], "spec.pdf", PDF).status_code == 403
    # Someone else's file: only who manages the item deletes it; the uploader deletes their own.
    staff_file = upload(api["support"], urls["incident"], "log.txt", b"trace\n").json
    assert api["customer"].delete(f"/api/v1/attachments/{staff_file['id']}").status_code == 403
    assert api["customer"].delete(f"/api/v1/attachments/{mine.json['id']}").status_code == 204
    assert api["customer"].post(f"/api/v1/attachments/{mine.json['id']}/restore").status_code == 200
    assert api["support"].delete(f"/api/v1/attachments/{mine.json['id']}").status_code == 204


def test_a_customer_outside_the_project_gets_404(work_items):
    created = upload(work_items["api"]["admin"], work_items["urls"]["incident"], "x.pdf", PDF).json
    outsider = work_items["api"]["outsider"]
    assert outsider.get(created["content_url"]).status_code == 404
    assert outsider.get(f"/api/v1/attachments/{created['id']}").status_code == 404
    assert outsider.get(f"{work_items['urls']['incident']}/attachments").status_code == 404
    assert work_items["api"]["customer"].get(created["content_url"]).status_code == 200


def test_another_tenants_attachment_is_404_everywhere(work_items, admin_b):
    created = upload(work_items["api"]["admin"], work_items["urls"]["defect"], "x.pdf", PDF).json
    for method, path in [
        ("GET", f"/api/v1/attachments/{created['id']}"),
        ("GET", created["content_url"]),
        ("GET", f"/api/v1/attachments/{created['id']}/thumbnail"),
        ("DELETE", f"/api/v1/attachments/{created['id']}"),
        ("POST", f"/api/v1/attachments/{created['id']}/restore"),
        ("GET", f"{work_items['urls']['defect']}/attachments"),
    ]:
        response = admin_b.open(path, method)
        assert response.status_code == 404, (method, path, response.status_code)
    assert upload(admin_b, work_items["urls"]["defect"], "x.pdf", PDF).status_code == 404
    assert work_items["api"]["admin"].get(created["content_url"]).data == PDF  # untouched


def test_deleting_the_work_item_hides_its_attachments_and_restoring_it_brings_them_back(work_items):
    admin, url = work_items["api"]["admin"], work_items["urls"]["requirement"]
    created = upload(admin, url, "spec.pdf", PDF).json
    assert admin.delete(url).status_code == 204
    assert admin.get(created["content_url"]).status_code == 404
    assert admin.get(f"/api/v1/attachments/{created['id']}").status_code == 404
    assert admin.get(f"{url}/attachments").status_code == 404
    assert admin.post(f"{url}/restore").status_code == 200
    assert admin.get(created["content_url"]).data == PDF


def test_uploads_need_a_multipart_file_field(work_items):
    admin, url = work_items["api"]["admin"], work_items["urls"]["requirement"]
    assert admin.post(f"{url}/attachments", json={"file": "x"}).status_code == 415
    missing = admin.post(f"{url}/attachments", data={"other": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    empty = upload(admin, url, "empty.txt", b"")
    assert empty.status_code == 422
    # The body is `file` alone: another part was silently dropped (schemathesis, issue 15.2).
    extra = admin.post(
        f"{url}/attachments", data={"file": (io.BytesIO(PDF), "a.pdf"), "note": "x"}, content_type="multipart/form-data"
    )
    assert extra.status_code == 422 and extra.json["errors"] == {"note": ["Unknown field."]}


def test_the_upload_is_in_the_openapi_document_as_multipart(client):
    spec = client.get("/api/v1/openapi.json").json
    base = "/api/v1/projects/{project_id}"
    for path in (
        f"{base}/hypercare/incidents/{{incident_id}}/attachments",
        f"{base}/hypercare/change-requests/{{cr_id}}/attachments",
        f"{base}/requirements/{{requirement_id}}/attachments",
        f"{base}/backlog-items/{{item_id}}/attachments",
        f"{base}/test-cases/{{case_id}}/attachments",
        f"{base}/test-cycles/{{cycle_id}}/executions/{{execution_id}}/attachments",
        f"{base}/defects/{{defect_id}}/attachments",
    ):
        post = spec["paths"][path]["post"]
        assert list(post["requestBody"]["content"]) == ["multipart/form-data"], path
        assert "201" in post["responses"] and "get" in spec["paths"][path]
    upload_schema = spec["components"]["schemas"]["AttachmentUpload"]
    assert upload_schema["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": upload_schema["properties"]["file"]["description"],
    }
    content = spec["paths"]["/api/v1/attachments/{attachment_id}/content"]["get"]["responses"]["200"]["content"]
    # The answer carries the type stored at upload (found by schemathesis: text/plain was undocumented).
    from app.services.attachments.sniff import ALLOWABLE

    assert content == {media: {"schema": {"type": "string", "format": "binary"}} for media in ALLOWABLE}
    assert {"text/plain", "application/pdf", "image/png"} <= set(content)
    assert set(spec["components"]["schemas"]["Attachment"]["properties"]) >= {
        "id",
        "filename",
        "content_type",
        "size",
        "sha256",
        "created_at",
        "created_by",
    }
    assert "put" in spec["paths"]["/api/v1/attachment-settings"]


def test_nothing_of_a_requirement_changes_when_files_are_attached(app, work_items):
    """Attachments hang on a work item; they are not a change of it (no version bump, no If-Match clash)."""
    upload(work_items["api"]["admin"], work_items["urls"]["requirement"], "spec.pdf", PDF)
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        assert db.session.execute(select(ExploreRequirement.version)).scalar_one() == 1
