"""The tenant's quota holds under concurrent uploads (PostgreSQL): the policy row is locked while the quota is
checked and spent, so two uploads racing for the last free bytes cannot both get in."""

import threading

import pytest

from tests.fixtures.app import Api
from tests.fixtures.attachments import PDF, upload

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("local_store")]


def test_two_uploads_racing_for_the_last_bytes_do_not_both_get_in(real_services, work_items):
    admin = work_items["api"]["admin"]
    size = 60_000
    etag = admin.get("/api/v1/attachment-settings").headers["ETag"]
    quota = admin.put("/api/v1/attachment-settings", json={"quota_bytes": size + size // 2}, headers={"If-Match": etag})
    assert quota.status_code == 200
    start = threading.Barrier(2)
    answers = []

    def send(name):
        api = Api(real_services.test_client(), admin.token, admin.user_id, admin.tenant_id)
        start.wait()
        answers.append(upload(api, work_items["urls"]["requirement"], name, PDF + b"x" * (size - len(PDF))).status_code)

    threads = [threading.Thread(target=send, args=(f"{n}.pdf",)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [201, 422]
    assert admin.get("/api/v1/attachment-settings").json["used_bytes"] == size
