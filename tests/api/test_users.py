from tests.fixtures.app import login


def _new_user(api, **fields):
    body = {
        "email": "New.Person@alpha.test",
        "name": "New Person",
        "role": "consultant",
        "password": "Long-enough-pw-1",
        **fields,
    }
    return api.post("/api/v1/users", json=body)


def test_admin_creates_a_user_who_can_then_sign_in(client, admin_a):
    response = _new_user(admin_a)
    assert response.status_code == 201
    user = response.json
    assert user["id"] and user["email"] == "new.person@alpha.test" and "password" not in user
    assert "password_hash" not in user
    assert login(client, "new.person@alpha.test", "Long-enough-pw-1").user_id == user["id"]


def test_user_validation_is_field_level(admin_a):
    response = admin_a.post(
        "/api/v1/users", json={"email": "not-an-email", "name": "", "role": "wizard", "password": "short"}
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"email", "name", "role", "password"}
    wrong_level = _new_user(admin_a, role="pm", support_level="L2")
    assert wrong_level.status_code == 422 and "support_level" in wrong_level.json["errors"]
    assert _new_user(admin_a, role="support", support_level="L3").json["support_level"] == "L3"


def test_email_is_unique_across_tenants(admin_a, admin_b):
    assert _new_user(admin_a).status_code == 201
    duplicate = _new_user(admin_b, email="new.person@ALPHA.test")
    assert duplicate.status_code == 422 and "email" in duplicate.json["errors"]


def test_only_admins_manage_users(client, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    pm = login(client, "pm@alpha.test")
    assert pm.get("/api/v1/users").status_code == 200
    assert _new_user(pm).status_code == 403
    make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    assert login(client, "cust@alpha.test").get("/api/v1/users").status_code == 403


def test_update_role_with_if_match_and_history(admin_a):
    user = _new_user(admin_a).json
    url = f"/api/v1/users/{user['id']}"
    changed = admin_a.patch(url, json={"role": "support", "support_level": "L2"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert admin_a.patch(url, json={"name": "Stale"}, headers={"If-Match": '"1"'}).status_code == 409
    history = admin_a.get(f"/api/v1/audit/User/{user['id']}/history").json["items"]
    assert {c["property"] for c in history[0]["changes"]} == {"role", "support_level"}
    assert all(c["property"] != "password_hash" for v in history for c in v["changes"])


def test_admin_cannot_lock_themselves_out(admin_a):
    url = f"/api/v1/users/{admin_a.user_id}"
    assert admin_a.patch(url, json={"active": False}).status_code == 422
    assert admin_a.patch(url, json={"role": "viewer"}).status_code == 422
    assert admin_a.delete(url).status_code == 422


def test_delete_deactivates_and_restore_reactivates(client, admin_a):
    user = _new_user(admin_a).json
    url = f"/api/v1/users/{user['id']}"
    assert admin_a.delete(url).status_code == 204
    assert admin_a.get(url).status_code == 404
    assert admin_a.get("/api/v1/users?include_deleted=true").json["total"] == 2
    signin = client.post("/api/v1/auth/login", json={"email": user["email"], "password": "Long-enough-pw-1"})
    assert signin.status_code == 401
    restored = admin_a.post(f"{url}/restore").json
    assert restored["active"] is True and restored["deleted_at"] is None
    assert login(client, user["email"], "Long-enough-pw-1")


def test_list_filters_by_role_and_text(admin_a):
    _new_user(admin_a)
    _new_user(admin_a, email="sup@alpha.test", name="Sue Port", role="support", support_level="L1")
    assert admin_a.get("/api/v1/users?role=support").json["total"] == 1
    assert admin_a.get("/api/v1/users?q=sue").json["items"][0]["email"] == "sup@alpha.test"
    assert admin_a.get("/api/v1/users?role=wizard").status_code == 422


def test_support_level_on_a_non_support_user_is_refused_not_dropped(admin_a):
    user = _new_user(admin_a).json
    response = admin_a.patch(f"/api/v1/users/{user['id']}", json={"support_level": "L2"})
    assert response.status_code == 422 and "support_level" in response.json["errors"]


def test_user_delete_honours_if_match(admin_a):
    user = _new_user(admin_a).json
    admin_a.patch(f"/api/v1/users/{user['id']}", json={"name": "Changed"})
    assert admin_a.delete(f"/api/v1/users/{user['id']}", headers={"If-Match": '"1"'}).status_code == 409
