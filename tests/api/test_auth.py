from datetime import UTC, datetime, timedelta

from app.utils import clock
from tests.fixtures.app import PASSWORD, login


def _cookie(client, name):
    cookie = client.get_cookie(name, path="/") or client.get_cookie(name, path="/api/v1/auth")
    return cookie.value if cookie else None


def test_login_returns_tokens_user_and_browser_cookies(client, tenant_a):
    response = client.post("/api/v1/auth/login", json={"email": "ADMIN@alpha.test ", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["access_token"] and body["refresh_token"]
    assert body["user"]["email"] == "admin@alpha.test"
    assert body["user"]["tenant"]["slug"] == "alpha"
    assert "users.manage" in body["user"]["permissions"]
    cookies = {c.split("=")[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["access_token_cookie"] and "SameSite=Strict" in cookies["access_token_cookie"]
    assert "HttpOnly" in cookies["refresh_token_cookie"]
    assert "HttpOnly" not in cookies["csrf_access_token"]  # the SPA reads it for the double-submit header


def test_wrong_password_and_unknown_user_get_the_same_401(client, tenant_a):
    wrong = client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": "nope-nope-nope"})
    unknown = client.post("/api/v1/auth/login", json={"email": "ghost@alpha.test", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    assert wrong.json["detail"] == unknown.json["detail"]


def test_me_requires_a_token(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(client, tenant_a):
    with clock.freeze(datetime.now(UTC)):
        first = client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD}).json
        old_refresh = {"Authorization": f"Bearer {first['refresh_token']}"}
        rotated = client.post("/api/v1/auth/refresh", headers=old_refresh)
        assert rotated.status_code == 200
        new_access = {"Authorization": f"Bearer {rotated.json['access_token']}"}
        assert client.get("/api/v1/auth/me", headers=new_access).status_code == 200

        clock.advance(timedelta(seconds=11))  # past the grace window for parallel refreshes (10 s)
        replay = client.post("/api/v1/auth/refresh", headers=old_refresh)
        assert replay.status_code == 401
        # Reuse means the token leaked: the whole session is closed, the new tokens too.
        assert client.get("/api/v1/auth/me", headers=new_access).status_code == 401
        newest_refresh = {"Authorization": f"Bearer {rotated.json['refresh_token']}"}
        assert client.post("/api/v1/auth/refresh", headers=newest_refresh).status_code == 401


def test_an_access_token_cannot_be_used_to_refresh(client, tenant_a):
    api = login(client, "admin@alpha.test")
    assert client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {api.token}"}).status_code == 401


def test_logout_revokes_the_session(client, tenant_a):
    api = login(client, "admin@alpha.test")
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/auth/me").status_code == 401


def test_logout_of_one_session_leaves_other_sessions(client, tenant_a):
    laptop = login(client, "admin@alpha.test")
    phone = login(client, "admin@alpha.test")
    laptop.post("/api/v1/auth/logout")
    assert phone.get("/api/v1/auth/me").status_code == 200


def test_a_deactivated_users_tokens_stop_working_at_once(client, tenant_a, make_user):
    user_id = make_user(tenant_a["tenant_id"], "leaver@alpha.test")
    leaver = login(client, "leaver@alpha.test")
    assert leaver.get("/api/v1/projects").status_code == 200
    admin = login(client, "admin@alpha.test")
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert leaver.get("/api/v1/projects").status_code == 401
    again = client.post("/api/v1/auth/login", json={"email": "leaver@alpha.test", "password": PASSWORD})
    assert again.status_code == 401


def test_cookie_auth_writes_need_the_csrf_header(client, tenant_a):
    client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD})
    assert client.get("/api/v1/projects").status_code == 200  # reads need no CSRF header
    body = {"name": "Cookie project", "code": "CK1"}
    missing = client.post("/api/v1/projects", json=body)
    assert missing.status_code == 403
    assert missing.json["type"].endswith("csrf-failed")
    wrong = client.post("/api/v1/projects", json=body, headers={"X-CSRF-TOKEN": "forged"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/projects", json=body, headers={"X-CSRF-TOKEN": _cookie(client, "csrf_access_token")})
    assert ok.status_code == 201


def test_cookie_refresh_and_logout_flow(client, tenant_a):
    client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD})
    assert client.post("/api/v1/auth/refresh").status_code == 403  # no CSRF header
    refreshed = client.post("/api/v1/auth/refresh", headers={"X-CSRF-TOKEN": _cookie(client, "csrf_refresh_token")})
    assert refreshed.status_code == 200
    logout = client.post("/api/v1/auth/logout", headers={"X-CSRF-TOKEN": _cookie(client, "csrf_access_token")})
    assert logout.status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_failed_logins_are_throttled_per_account(client, tenant_a):
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": "admin@alpha.test", "password": "wrong-password"}
            ).status_code
            == 401
        )
    blocked = client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.mimetype == "application/problem+json"


def test_failed_logins_are_throttled_per_address_within_one_tenant(client, tenant_a):
    for index in range(20):
        client.post("/api/v1/auth/login", json={"email": f"guess{index}@alpha.test", "password": "wrong-password"})
    # Guessing at unknown addresses from this client slows down more guessing at unknown addresses ...
    blocked = client.post("/api/v1/auth/login", json={"email": "guess99@alpha.test", "password": "wrong-password"})
    assert blocked.status_code == 429
    # ... but not the tenant's real users behind the same address (issue 13 item 4: one NAT, many firms).
    assert (
        client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD}).status_code == 200
    )


def test_a_successful_login_clears_the_account_counter(client, tenant_a):
    for _ in range(4):
        client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": "wrong-password"})
    assert (
        client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD}).status_code == 200
    )
    for _ in range(4):
        client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": "wrong-password"})
    assert (
        client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD}).status_code == 200
    )


def test_tokens_carry_tenant_and_role(client, tenant_a):
    from flask_jwt_extended import decode_token

    api = login(client, "admin@alpha.test")
    with client.application.app_context():
        claims = decode_token(api.token)
    assert claims["tid"] == str(tenant_a["tenant_id"])
    assert claims["role"] == "admin"


def test_logout_with_an_expired_access_token_still_ends_the_session(client, tenant_a):
    from flask_jwt_extended import create_access_token, decode_token

    from app.utils.clock import utcnow  # noqa: F401  (documents: tokens expire by real time, so forge one)

    body = client.post("/api/v1/auth/login", json={"email": "admin@alpha.test", "password": PASSWORD}).json
    refresh_header = {"Authorization": f"Bearer {body['refresh_token']}"}
    with client.application.app_context():
        claims = decode_token(body["access_token"])
        from datetime import timedelta

        expired = create_access_token(
            identity=claims["sub"],
            expires_delta=timedelta(seconds=-1),
            additional_claims={k: claims[k] for k in ("tid", "role", "sid")},
        )
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=refresh_header).status_code == 204
    assert client.post("/api/v1/auth/refresh", headers=refresh_header).status_code == 401
