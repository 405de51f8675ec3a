"""Self-service (issue 16 §3) and two-factor sign-in (§4): own password, forgotten password by e-mail, own
sessions, TOTP with recovery codes, the tenant's 2FA policy and an admin's reset."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from app.utils import clock
from tests.fixtures.app import PASSWORD, login

NEW_PASSWORD = "Granite-Lantern-Orbit-71"


def _code(secret: str, at: datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(at or clock.utcnow())


@pytest.fixture
def now():
    with clock.freeze(datetime(2026, 11, 30, 9, 0, 7, tzinfo=UTC)):
        yield


# -- own password --------------------------------------------------------------------------------------------


def test_changing_my_password_needs_the_current_one_and_ends_my_other_sessions(client, tenant_a, mailbox):
    laptop = login(client, "admin@alpha.test")
    phone = login(client, "admin@alpha.test")
    wrong = laptop.post(
        "/api/v1/account/password", json={"current_password": "nope-nope-nope", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "current_password" in wrong.json["errors"]
    weak = laptop.post("/api/v1/account/password", json={"current_password": PASSWORD, "new_password": "qwerty123456"})
    assert weak.status_code == 422 and "new_password" in weak.json["errors"]

    changed = laptop.post("/api/v1/account/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200 and changed.json["ended_sessions"] == 1
    assert laptop.get("/api/v1/auth/me").status_code == 200  # this session stays
    assert phone.get("/api/v1/auth/me").status_code == 401  # the others end
    assert "was changed" in mailbox.latest("admin@alpha.test")["Subject"]
    history = laptop.get(f"/api/v1/audit/User/{laptop.user_id}/history").json["items"]
    assert history[0]["changed_properties"] == ["password_changed_at"]


# -- forgot password -----------------------------------------------------------------------------------------


def test_forgot_password_mails_a_single_use_link_and_answers_alike_for_unknown_addresses(client, tenant_a, mailbox):
    session = login(client, "admin@alpha.test")
    known = client.post("/api/v1/auth/password/forgot", json={"email": "Admin@Alpha.test"})
    unknown = client.post("/api/v1/auth/password/forgot", json={"email": "nobody@alpha.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json
    assert mailbox.to("nobody@alpha.test") == []

    message = mailbox.latest("admin@alpha.test")
    assert "Alpha" in message["Subject"] and "Alpha" in mailbox.html(message)
    token = mailbox.token("admin@alpha.test", "reset-password")
    assert client.post("/api/v1/auth/password/reset/check", json={"token": token}).json["email"] == "admin@alpha.test"
    weak = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "aaaaaaaaaaaaaaaa"})
    assert weak.status_code == 422
    done = client.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    assert session.get("/api/v1/auth/me").status_code == 401  # a reset ends every session
    assert login(client, "admin@alpha.test", NEW_PASSWORD)

    reused = client.post("/api/v1/auth/password/reset", json={"token": token, "password": "Another-Quiet-Harbour-9"})
    assert reused.status_code == 410 and reused.json["type"].endswith("link-used")


def test_reset_links_expire_and_a_newer_one_replaces_the_older(client, tenant_a, mailbox, now):
    client.post("/api/v1/auth/password/forgot", json={"email": "admin@alpha.test"})
    first = mailbox.token("admin@alpha.test", "reset-password")
    mailbox.clear()
    client.post("/api/v1/auth/password/forgot", json={"email": "admin@alpha.test"})
    second = mailbox.token("admin@alpha.test", "reset-password")
    replaced = client.post("/api/v1/auth/password/reset", json={"token": first, "password": NEW_PASSWORD})
    assert replaced.status_code == 410
    clock.advance(timedelta(minutes=61))
    expired = client.post("/api/v1/auth/password/reset", json={"token": second, "password": NEW_PASSWORD})
    assert expired.status_code == 410 and expired.json["type"].endswith("link-expired")
    assert login(client, "admin@alpha.test")  # nothing changed


def test_a_reset_link_with_another_tenants_id_is_not_valid(client, tenant_a, tenant_b, mailbox):
    client.post("/api/v1/auth/password/forgot", json={"email": "admin@alpha.test"})
    token = mailbox.token("admin@alpha.test", "reset-password")
    forged = tenant_b["tenant_id"].hex + token[32:]
    refused = client.post("/api/v1/auth/password/reset", json={"token": forged, "password": NEW_PASSWORD})
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert login(client, "admin@alpha.test")


def test_forgot_password_is_rate_limited_per_address(client, tenant_a, mailbox):
    answers = [
        client.post("/api/v1/auth/password/forgot", json={"email": f"x{i}@alpha.test"}).status_code for i in range(6)
    ]
    assert answers == [202] * 5 + [429]


# -- own sessions ----------------------------------------------------------------------------------------------


def test_i_see_my_sessions_and_can_sign_out_one_or_everywhere_else(client, tenant_a, tenant_b):
    me = login(client, "admin@alpha.test")
    other = login(client, "admin@alpha.test")
    third = login(client, "admin@alpha.test")
    sessions = me.get("/api/v1/account/sessions").json
    assert sessions["total"] == 3 and sum(s["current"] for s in sessions["items"]) == 1
    target = next(s for s in sessions["items"] if not s["current"])
    assert me.delete(f"/api/v1/account/sessions/{target['id']}").status_code == 204
    assert me.get("/api/v1/account/sessions").json["total"] == 2

    foreign = login(client, "admin@bravo.test")
    foreign_id = foreign.get("/api/v1/account/sessions").json["items"][0]["id"]
    assert me.delete(f"/api/v1/account/sessions/{foreign_id}").status_code == 404
    assert foreign.get("/api/v1/auth/me").status_code == 200

    ended = me.post("/api/v1/account/sessions/end-others").json
    assert ended["ended_sessions"] == 1
    assert [other.get("/api/v1/auth/me").status_code, third.get("/api/v1/auth/me").status_code].count(401) == 2
    assert me.get("/api/v1/auth/me").status_code == 200


# -- two-factor sign-in ---------------------------------------------------------------------------------------


def _enrol(api) -> tuple[str, list[str]]:
    setup = api.post("/api/v1/account/mfa/setup", json={"current_password": PASSWORD})
    assert setup.status_code == 200, setup.json
    assert setup.json["otpauth_uri"].startswith("otpauth://totp/") and setup.json["qr_svg"].startswith(
        "data:image/svg+xml"
    )
    secret = setup.json["secret"]
    assert api.post("/api/v1/account/mfa/confirm", json={"code": "000000"}).status_code == 422
    confirmed = api.post("/api/v1/account/mfa/confirm", json={"code": _code(secret)})
    assert confirmed.status_code == 200
    return secret, confirmed.json["recovery_codes"]


def _password_step(client, email="admin@alpha.test", password=PASSWORD):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200
    return response.json


def test_sign_in_with_totp_and_no_replay_within_the_window(client, tenant_a, now):
    api = login(client, "admin@alpha.test")
    secret, codes = _enrol(api)
    assert len(codes) == 10 and api.get("/api/v1/account").json["mfa"]["enabled"] is True

    clock.advance(timedelta(seconds=60))  # a fresh time step
    challenge = _password_step(client)
    assert challenge["mfa_required"] is True and "access_token" not in challenge
    code = _code(secret)
    signed_in = client.post("/api/v1/auth/login/mfa", json={"mfa_token": challenge["mfa_token"], "code": code})
    assert signed_in.status_code == 200 and signed_in.json["access_token"]

    # The same code again, within its window, in a new sign-in: refused.
    replay = client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": _password_step(client)["mfa_token"], "code": code}
    )
    assert replay.status_code == 422 and "code" in replay.json["errors"]
    # A code from one step ago is still accepted once (clock drift); two steps ago is not.
    clock.advance(timedelta(seconds=30))
    stale = _code(secret, clock.utcnow() - timedelta(seconds=60))
    assert (
        client.post(
            "/api/v1/auth/login/mfa", json={"mfa_token": _password_step(client)["mfa_token"], "code": stale}
        ).status_code
        == 422
    )
    # The challenge token is single use.
    token = _password_step(client)["mfa_token"]
    assert client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": _code(secret)}).status_code == 200
    clock.advance(timedelta(seconds=30))
    assert client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": _code(secret)}).status_code == 401


def test_recovery_codes_work_once(client, tenant_a, now):
    api = login(client, "admin@alpha.test")
    _secret, codes = _enrol(api)
    token = _password_step(client)["mfa_token"]
    used = client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "recovery_code": codes[0].upper()})
    assert used.status_code == 200
    again = client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": _password_step(client)["mfa_token"], "recovery_code": codes[0]}
    )
    assert again.status_code == 422
    assert api.get("/api/v1/account").json["mfa"]["recovery_codes_left"] == 9


def test_a_challenge_dies_after_five_wrong_codes_and_expires(client, tenant_a, now):
    api = login(client, "admin@alpha.test")
    secret, _codes = _enrol(api)
    token = _password_step(client)["mfa_token"]
    for _ in range(5):
        client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": "123456"})
    assert client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": _code(secret)}).status_code in (
        401,
        429,
    )
    clock.advance(timedelta(minutes=10))
    late = _password_step(client)["mfa_token"]
    clock.advance(timedelta(minutes=6))
    assert client.post("/api/v1/auth/login/mfa", json={"mfa_token": late, "code": _code(secret)}).status_code == 401


def test_the_tenant_can_require_2fa_and_a_user_enrols_while_signing_in(client, tenant_a, admin_a, make_user, now):
    make_user(tenant_a["tenant_id"], "staff@alpha.test")
    version = admin_a.get("/api/v1/admin/security").json["version"]
    admin_a.patch("/api/v1/admin/security", json={"mfa_required": "everyone"}, headers={"If-Match": f'"{version}"'})
    challenge = _password_step(client, "staff@alpha.test")
    assert challenge["mfa_enrolment_required"] is True
    setup = client.post("/api/v1/auth/login/mfa/setup", json={"mfa_token": challenge["mfa_token"]}).json
    done = client.post(
        "/api/v1/auth/login/mfa", json={"mfa_token": challenge["mfa_token"], "code": _code(setup["secret"])}
    )
    assert done.status_code == 200 and len(done.json["recovery_codes"]) == 10
    staff = login_with_tokens(client, done.json)
    off = staff.post("/api/v1/account/mfa/disable", json={"current_password": PASSWORD})
    assert off.status_code == 409  # required by the tenant


def login_with_tokens(client, body):
    from tests.fixtures.app import Api

    return Api(client, body["access_token"], body["user"]["id"], body["user"]["tenant"]["id"])


def test_an_admin_resets_a_users_second_factor_audited(client, tenant_a, admin_a, make_user, now):
    user_id = make_user(tenant_a["tenant_id"], "lost.phone@alpha.test")
    user = login(client, "lost.phone@alpha.test")
    _enrol(user)
    assert admin_a.get(f"/api/v1/users/{user_id}").json["mfa_enabled"] is True
    reset = admin_a.post(f"/api/v1/users/{user_id}/mfa/reset")
    assert reset.status_code == 200 and reset.json["mfa_enabled"] is False
    assert user.get("/api/v1/auth/me").status_code == 401
    assert login(client, "lost.phone@alpha.test")  # password alone again
    history = admin_a.get(f"/api/v1/audit/User/{user_id}/history").json["items"]
    assert history[0]["changed_properties"] == ["totp_enabled_at"]
    assert history[0]["author"]["id"] == str(tenant_a["admin_id"])
    assert admin_a.post(f"/api/v1/users/{user_id}/mfa/reset").status_code == 409


def test_disabling_and_new_recovery_codes_need_the_password(client, tenant_a, now):
    api = login(client, "admin@alpha.test")
    _secret, codes = _enrol(api)
    assert api.post("/api/v1/account/mfa/recovery-codes", json={"current_password": "wrong-wrong-1"}).status_code == 422
    fresh = api.post("/api/v1/account/mfa/recovery-codes", json={"current_password": PASSWORD}).json["recovery_codes"]
    assert set(fresh).isdisjoint(codes)
    assert api.post("/api/v1/account/mfa/disable", json={"current_password": PASSWORD}).status_code == 204
    assert "access_token" in _password_step(client)


def test_key_rotation_re_encrypts_totp_secrets(app, client, tenant_a, now, monkeypatch):
    import base64
    import json
    import os

    from app.utils.crypto import KeyRing

    api = login(client, "admin@alpha.test")
    secret, _codes = _enrol(api)
    new_key = f"k9:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
    monkeypatch.setitem(app.extensions, "crypto", KeyRing.parse(f"{new_key},{app.config['ENCRYPTION_KEYS']}"))
    counts = json.loads(app.test_cli_runner().invoke(args=["crypto", "rotate"]).output)
    assert counts["totp_secrets"] == 1
    monkeypatch.setitem(app.extensions, "crypto", KeyRing.parse(new_key))  # the old key is gone
    clock.advance(timedelta(seconds=60))
    token = _password_step(client)["mfa_token"]
    assert client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": _code(secret)}).status_code == 200
