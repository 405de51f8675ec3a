"""Leads API: CRUD, filters, the all-or-nothing CSV import, permissions and the feature flag exposure."""

from tests.fixtures.app import login

CSV = (
    "domain,company_name,contact_name,contact_email,segment,readiness_score,priority_score\n"
    "anatolia-foods.com.tr,Anatolia Foods A.Ş.,Elif Kaya,elif@anatolia-foods.com.tr,enterprise,77,81\n"
    "nordlicht-logistik.de,Nordlicht Logistik GmbH,Jonas Berg,jonas@nordlicht-logistik.de,mid_market,64,58\n"
)


def _create(api, domain="contoso.com", **fields):
    response = api.post(
        "/api/v1/leads", json={"domain": domain, "company_name": fields.pop("company_name", "Contoso"), **fields}
    )
    assert response.status_code == 201, response.json
    return response.json


def test_crud_with_versions_and_unique_domain(admin_a):
    lead = _create(admin_a, "Contoso.com", priority_score=40)
    assert lead["domain"] == "contoso.com" and lead["d365"] == {
        "status": "not_synced",
        "label": "Not synced",
        "lead_id": None,
        "last_synced_at": None,
        "error": None,
        "url": None,
    }
    duplicate = admin_a.post("/api/v1/leads", json={"domain": "contoso.com", "company_name": "Again"})
    assert duplicate.status_code == 422 and "domain" in duplicate.json["errors"]
    stale = admin_a.patch(f"/api/v1/leads/{lead['id']}", json={"status": "qualified"}, headers={"If-Match": "0"})
    assert stale.status_code == 409
    ok = admin_a.patch(
        f"/api/v1/leads/{lead['id']}", json={"status": "qualified"}, headers={"If-Match": str(lead["version"])}
    )
    assert ok.status_code == 200 and ok.json["status"] == "qualified"
    bad = admin_a.post(
        "/api/v1/leads",
        json={"domain": "not a domain", "company_name": "X", "readiness_score": 300, "contact_email": "nope"},
    )
    assert bad.status_code == 422 and {"domain", "readiness_score", "contact_email"} <= set(bad.json["errors"])
    assert (
        admin_a.delete(f"/api/v1/leads/{lead['id']}", headers={"If-Match": str(ok.json["version"])}).status_code == 204
    )
    assert admin_a.get(f"/api/v1/leads/{lead['id']}").status_code == 404


def test_filters_sort_and_a_fixed_query_count(admin_a, count_queries, row_snapshots_off):
    admin_a.post("/api/v1/leads/import", data=CSV, content_type="text/csv")
    _create(admin_a, "small.example.com", company_name="Small Co", segment="smb", priority_score=10)
    listed = admin_a.get("/api/v1/leads").json
    assert listed["total"] == 3 and listed["items"][0]["domain"] == "anatolia-foods.com.tr"
    assert admin_a.get("/api/v1/leads?segment=smb").json["total"] == 1
    assert admin_a.get("/api/v1/leads?q=nordlicht").json["total"] == 1
    assert admin_a.get("/api/v1/leads?d365_status=not_synced").json["total"] == 3
    assert admin_a.get("/api/v1/leads?d365_status=bogus").status_code == 422
    with count_queries() as few:
        admin_a.get("/api/v1/leads?limit=2")
    for i in range(10):
        _create(admin_a, f"more{i}.example.com")
    with count_queries() as many:  # a full page again: a short last page skips the count (issue 14)
        admin_a.get("/api/v1/leads?limit=12")
    assert many.count == few.count


def test_csv_import_is_all_or_nothing_and_idempotent_by_domain(admin_a):
    bad = CSV + "broken domain,Broken,,,enterprise,500,1\n"
    response = admin_a.post("/api/v1/leads/import", data=bad, content_type="text/csv")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"row 4.domain", "row 4.readiness_score"}
    assert admin_a.get("/api/v1/leads").json["total"] == 0
    assert admin_a.post("/api/v1/leads/import", data=CSV, content_type="text/csv").json == {
        "created": 2,
        "updated": 0,
        "total": 2,
    }
    again = admin_a.post("/api/v1/leads/import", data=CSV.replace(",77,", ",90,"), content_type="text/csv").json
    assert again == {"created": 0, "updated": 2, "total": 2}
    assert admin_a.get("/api/v1/leads?q=anatolia").json["items"][0]["readiness_score"] == 90
    repeated = CSV + CSV.splitlines()[1] + "\n"
    assert admin_a.post("/api/v1/leads/import", data=repeated, content_type="text/csv").status_code == 422
    assert admin_a.post("/api/v1/leads/import", data="a,b\n1,2\n", content_type="text/csv").status_code == 422


def test_sales_roles_only(client, admin_a, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "cons@alpha.test", role="consultant")
    make_user(tenant_a["tenant_id"], "cust@alpha.test", role="customer")
    lead = _create(admin_a)
    consultant = login(client, "cons@alpha.test")
    assert consultant.get(f"/api/v1/leads/{lead['id']}").status_code == 200
    assert consultant.post("/api/v1/leads", json={"domain": "x.example.com", "company_name": "X"}).status_code == 403
    assert consultant.post("/api/v1/d365/push-lead", json={"lead_id": lead["id"]}).status_code == 403
    customer = login(client, "cust@alpha.test")
    assert customer.get("/api/v1/leads").status_code == 403


def test_the_spa_learns_the_d365_flag(admin_a, app, monkeypatch):
    assert admin_a.get("/api/v1/auth/me").json["features"] == {"d365": False}
    monkeypatch.setitem(app.config, "D365_ENABLED", True)
    assert admin_a.get("/api/v1/auth/me").json["features"] == {"d365": True}
