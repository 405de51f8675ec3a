"""Invitations (issue 16 §2): invited by e-mail over a real SMTP server, single-use expiring links,
resend and revoke, allowed domains, and the bad links of "Bad input"."""

from datetime import UTC, datetime, timedelta

import pytest

from app.utils import clock
from tests.fixtures.app import login

INVITEE_PASSWORD = "Maple-Harbour-Quartz-58"


def _invite(api, email="new.person@alpha.test", role="consultant", **extra):
    return api.post("/api/v1/invitations", json={"email": email, "role": role, **extra})


def _accept(client, token, name="New Person", password=INVITEE_PASSWORD):
    return client.post("/api/v1/auth/invitation/accept", json={"token": token, "name": name, "password": password})


def test_an_invited_person_gets_a_mail_chooses_a_password_and_is_signed_in(
    client, tenant_a, admin_a, make_project, mailbox
):
    project_id = make_project(tenant_a["tenant_id"], "INV")
    response = _invite(admin_a, project_ids=[str(project_id)], name="New Person")
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending" and response.json["invited_by"]["name"] == "Administrator"

    message = mailbox.latest("new.person@alpha.test")
    assert message["Subject"] == "Administrator invited you to Alpha on Meridian"
    assert "Alpha" in mailbox.text(message) and "Alpha" in mailbox.html(message)
    assert "a consultant" in mailbox.text(message)
    link = mailbox.link("new.person@alpha.test", "accept-invitation")
    assert link.startswith("http://127.0.0.1:5000/#/accept-invitation?token=")
    token = link.split("token=", 1)[1]

    info = client.post("/api/v1/auth/invitation", json={"token": token})
    assert info.status_code == 200
    assert info.json["email"] == "new.person@alpha.test" and info.json["tenant"] == {"name": "Alpha"}

    accepted = _accept(client, token)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["user"]["role"] == "consultant" and accepted.json["access_token"]
    members = admin_a.get(f"/api/v1/projects/{project_id}/members").json
    assert "new.person@alpha.test" in [m["email"] for m in members["items"]]
    listed = admin_a.get("/api/v1/invitations", query_string={"status": "accepted"}).json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "accepted"
    mail_log = admin_a.get("/api/v1/admin/mail").json
    assert mail_log["items"][0]["status"] == "sent" and mail_log["items"][0]["kind"] == "invitation"

    # Single use: the same link again changes nothing.
    again = _accept(client, token, name="Someone Else")
    assert again.status_code == 410 and again.json["type"].endswith("link-used")
    assert again.mimetype == "application/problem+json"


def test_an_expired_link_is_refused_and_a_resend_replaces_the_link(client, tenant_a, admin_a, mailbox):
    with clock.freeze(datetime.now(UTC)):
        invitation = _invite(admin_a).json
        first = mailbox.token("new.person@alpha.test", "accept-invitation")
        clock.advance(timedelta(days=7, minutes=1))
        expired = _accept(client, first)
        assert expired.status_code == 410 and expired.json["type"].endswith("link-expired")
        admin_a = login(client, "admin@alpha.test")  # a week later: the admin's own session has ended too
        assert admin_a.get(f"/api/v1/invitations/{invitation['id']}").json["status"] == "expired"

        mailbox.clear()
        resent = admin_a.post(f"/api/v1/invitations/{invitation['id']}/resend")
        assert resent.status_code == 200 and resent.json["sent_count"] == 2
        second = mailbox.token("new.person@alpha.test", "accept-invitation")
        assert second != first
        assert _accept(client, first).status_code == 404  # the old link stopped working
        assert _accept(client, second).status_code == 200


@pytest.mark.parametrize("end", ["revoke", "delete"])
def test_a_revoked_or_deleted_invitation_cannot_be_accepted(client, tenant_a, admin_a, mailbox, end):
    invitation = _invite(admin_a).json
    token = mailbox.token("new.person@alpha.test", "accept-invitation")
    if end == "revoke":
        assert admin_a.post(f"/api/v1/invitations/{invitation['id']}/revoke").status_code == 200
    else:
        assert admin_a.delete(f"/api/v1/invitations/{invitation['id']}").status_code == 204
    refused = _accept(client, token)
    assert refused.status_code == 404 and refused.json["type"].endswith("link-invalid")
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "new.person@alpha.test", "password": INVITEE_PASSWORD}
        ).status_code
        == 401
    )


def test_revoking_keeps_the_invitation_listed_as_revoked(admin_a):
    invitation = _invite(admin_a)
    revoked = admin_a.post(
        f"/api/v1/invitations/{invitation.json['id']}/revoke", headers={"If-Match": invitation.headers["ETag"]}
    )
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked" and revoked.json["revoked_at"]
    assert admin_a.get(f"/api/v1/invitations/{invitation.json['id']}").json["status"] == "revoked"
    listed = admin_a.get("/api/v1/invitations?status=revoked").json["items"]
    assert [i["id"] for i in listed] == [invitation.json["id"]]
    stale = admin_a.post(
        f"/api/v1/invitations/{invitation.json['id']}/revoke", headers={"If-Match": invitation.headers["ETag"]}
    )
    assert stale.status_code == 409


def test_a_deleted_invitation_is_gone_from_the_api(admin_a):
    # Found by the same schemathesis check (ST301) as on API tokens: DELETE answered 204 and GET then 200.
    invitation = _invite(admin_a).json
    assert admin_a.delete(f"/api/v1/invitations/{invitation['id']}").status_code == 204
    gone = admin_a.get(f"/api/v1/invitations/{invitation['id']}")
    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"
    assert admin_a.get("/api/v1/invitations?status=revoked").json["items"] == []
    kept = admin_a.get("/api/v1/invitations?include_deleted=true").json["items"]
    assert [(i["id"], i["status"]) for i in kept] == [(invitation["id"], "revoked")] and kept[0]["deleted_at"]
    assert admin_a.delete(f"/api/v1/invitations/{invitation['id']}").status_code == 404
    assert admin_a.post(f"/api/v1/invitations/{invitation['id']}/resend").status_code == 404


def test_an_accepted_invitation_is_neither_revoked_nor_deleted(client, admin_a, mailbox):
    invitation = _invite(admin_a).json
    assert _accept(client, mailbox.token("new.person@alpha.test", "accept-invitation")).status_code == 200
    for answer in (
        admin_a.post(f"/api/v1/invitations/{invitation['id']}/revoke"),
        admin_a.delete(f"/api/v1/invitations/{invitation['id']}"),
    ):
        assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    assert admin_a.get(f"/api/v1/invitations/{invitation['id']}").json["status"] == "accepted"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token, other: other.split(".")[0] + "." + ".".join(token.split(".")[1:]),  # another tenant's id
        lambda token, other: token[:-4] + "AAAA",  # a guessed secret
        lambda token, other: "not-a-token",
    ],
    ids=["foreign tenant", "wrong secret", "garbage"],
)
def test_foreign_or_forged_invitation_links_are_refused_and_change_nothing(
    client, tenant_a, tenant_b, admin_a, admin_b, mailbox, mangle
):
    _invite(admin_a)
    token = mailbox.token("new.person@alpha.test", "accept-invitation")
    _invite(admin_b, email="other@bravo.test")
    other = mailbox.token("other@bravo.test", "accept-invitation")
    refused = _accept(client, mangle(token, other))
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert admin_a.get("/api/v1/users", query_string={"q": "new.person"}).json["total"] == 0
    assert _accept(client, token).status_code == 200  # the real link still works


def test_invitation_rules(client, tenant_a, admin_a, make_user, make_project, tenant_b, mailbox):
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    pm = login(client, "pm@alpha.test")
    assert _invite(pm, role="consultant").status_code == 201
    admin_invite = _invite(pm, email="boss@alpha.test", role="admin")
    assert admin_invite.status_code == 422 and "role" in admin_invite.json["errors"]

    duplicate = _invite(admin_a)
    assert duplicate.status_code == 409 and duplicate.json["invitation_id"]
    taken = _invite(admin_a, email="admin@alpha.test")
    assert taken.status_code == 422 and "email" in taken.json["errors"]
    foreign_project = make_project(tenant_b["tenant_id"], "BRV")
    foreign = _invite(admin_a, email="x@alpha.test", project_ids=[str(foreign_project)])
    assert foreign.status_code == 422 and "project_ids" in foreign.json["errors"]

    make_user(tenant_a["tenant_id"], "viewer@alpha.test", role="viewer")
    assert _invite(login(client, "viewer@alpha.test"), email="y@alpha.test").status_code == 403


def test_invitations_only_go_to_the_allowed_domains(client, tenant_a, admin_a, mailbox):
    version = admin_a.get("/api/v1/admin/security").json["version"]
    set_domains = admin_a.patch(
        "/api/v1/admin/security",
        json={"invitation_domains": ["Alpha.test", "partner.example.com"]},
        headers={"If-Match": f'"{version}"'},
    )
    assert set_domains.status_code == 200 and set_domains.json["invitation_domains"] == [
        "alpha.test",
        "partner.example.com",
    ]
    refused = _invite(admin_a, email="someone@gmail.example")
    assert refused.status_code == 422 and "alpha.test" in refused.json["errors"]["email"][0]
    assert mailbox.to("someone@gmail.example") == []
    assert _invite(admin_a, email="consultant@partner.example.com").status_code == 201


def test_accepting_needs_a_policy_password(client, tenant_a, admin_a, mailbox):
    _invite(admin_a)
    token = mailbox.token("new.person@alpha.test", "accept-invitation")
    weak = _accept(client, token, password="qwerty123456")
    assert weak.status_code == 422 and "password" in weak.json["errors"]
    assert _accept(client, token).status_code == 200  # nothing was used up by the refused attempt


def test_without_smtp_the_mail_log_says_skipped(client, tenant_a, admin_a, app):
    assert app.config["SMTP_URL"] == ""
    assert _invite(admin_a).status_code == 201
    log = admin_a.get("/api/v1/admin/mail").json
    assert log["smtp_configured"] is False
    assert log["items"][0]["status"] == "skipped"


def test_an_unreachable_smtp_server_is_recorded_as_failed(client, tenant_a, admin_a, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://user:secret-pw@127.0.0.1:9")  # discard port: refused
    assert _invite(admin_a).status_code == 201
    entry = admin_a.get("/api/v1/admin/mail").json["items"][0]
    assert entry["status"] == "failed" and "could not be reached" in entry["error"]
    assert "secret-pw" not in entry["error"]


def test_the_mail_sink_shows_what_was_sent(tenant_a, admin_a, mailbox):
    """What `make run` relies on: the sink's web inbox lists the message and its link."""
    import json
    import urllib.request

    _invite(admin_a)
    with urllib.request.urlopen(f"http://127.0.0.1:{mailbox.sink.web_port}/messages.json", timeout=10) as answer:
        messages = json.loads(answer.read())
    assert messages[0]["to"] == "new.person@alpha.test"
    assert "#/accept-invitation?token=" in messages[0]["text"]
    with urllib.request.urlopen(f"http://127.0.0.1:{mailbox.sink.web_port}/", timeout=10) as answer:
        page = answer.read().decode()
    assert "invited you to Alpha" in page and 'href="http://127.0.0.1:5000/#/accept-invitation?token=' in page
