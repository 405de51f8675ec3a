"""CSV / Excel-CSV round trips of requirements and test cases: all or nothing, row-level errors,
idempotent re-import by code."""

import io


def _p(project_id, path):
    return f"/api/v1/projects/{project_id}/{path}"


def _upload(api, url, content: str | bytes):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return api.post(url, data={"file": (io.BytesIO(data), "requirements.csv")}, content_type="multipart/form-data")


GOOD = (
    "title,description,module,scope_item,fit_gap,priority,workshop_ref\n"
    "Three-way match,Invoice vs PO vs GR,MM,J45,fit,high,WS-MM-01\n"
    "Çek/senet portfolio,Turkish cheques and promissory notes,FI,J58,gap,critical,WS-FI-03\n"
)


def test_import_creates_then_reimport_of_the_export_changes_nothing(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    response = _upload(admin_a, _p(project_id, "requirements/import"), GOOD)
    assert response.status_code == 200, response.json
    assert response.json == {"created": 2, "updated": 0, "unchanged": 0}

    exported = admin_a.get(_p(project_id, "requirements/export"), query_string={"format": "excel"})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for ç, ş, ü
    assert "Çek/senet portfolio" in exported.data.decode("utf-8-sig")
    before = {r["code"]: r["version"] for r in admin_a.get(_p(project_id, "requirements")).json["items"]}

    again = _upload(admin_a, _p(project_id, "requirements/import"), exported.data)
    assert again.status_code == 200, again.json
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2}
    after = {r["code"]: r["version"] for r in admin_a.get(_p(project_id, "requirements")).json["items"]}
    assert after == before == {"REQ-0001": 1, "REQ-0002": 1}

    # Edited in Excel (semicolon locale): the row with the code updates that requirement.
    edited = exported.data.decode("utf-8-sig").replace("Three-way match", "Three-way match (tolerance 2%)")
    semicolons = edited.replace(",", ";").encode("utf-8-sig")
    changed = _upload(admin_a, _p(project_id, "requirements/import"), semicolons)
    assert changed.status_code == 200, changed.json
    assert changed.json == {"created": 0, "updated": 1, "unchanged": 1}
    titles = [
        r["title"] for r in admin_a.get(_p(project_id, "requirements"), query_string={"sort": "code"}).json["items"]
    ]
    assert titles[0] == "Three-way match (tolerance 2%)"


def test_a_bad_row_rejects_the_whole_file_naming_rows_and_fields(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    content = (
        "code,title,module,fit_gap,owner_email\n"
        ",Good row,FI,fit,\n"
        ",,XX,fit,\n"  # row 3: no title, unknown module
        ",Another,SD,maybe,nobody@x.test\n"  # row 4: bad fit_gap, unknown owner
        "REQ-0099,Ghost,FI,fit,\n"  # row 5: unknown code
    )
    response = _upload(admin_a, _p(project_id, "requirements/import"), content)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"row 3", "row 4", "row 5"}
    assert set(errors["row 3"]) == {"title", "module"}
    assert set(errors["row 4"]) == {"fit_gap", "owner_email"}
    assert set(errors["row 5"]) == {"code"}
    assert "nothing was imported" in response.json["detail"]
    assert admin_a.get(_p(project_id, "requirements")).json["total"] == 0
    # ...and no number was consumed: the next requirement is still REQ-0001.
    created = admin_a.post(_p(project_id, "requirements"), json={"title": "t", "module": "FI"}).json
    assert created["code"] == "REQ-0001"


def test_illegal_status_in_an_import_row_is_a_row_error(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _upload(admin_a, _p(project_id, "requirements/import"), GOOD)
    content = "code,title,module,status\nREQ-0001,Three-way match,MM,verified\n"
    response = _upload(admin_a, _p(project_id, "requirements/import"), content)
    assert response.status_code == 422 and "allowed: in_review" in response.json["errors"]["row 2"]["status"][0]


def test_unknown_header_and_non_utf8_are_file_errors(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    response = _upload(admin_a, _p(project_id, "requirements/import"), "title,colour\nx,red\n")
    assert response.status_code == 422 and "colour" in response.json["errors"]["file"][0]
    response = _upload(admin_a, _p(project_id, "requirements/import"), "title,module\nÇek,FI\n".encode("cp1254"))
    assert response.status_code == 422 and "file" in response.json["errors"]
    assert admin_a.post(_p(project_id, "requirements/import")).status_code == 422


def test_test_cases_round_trip_with_requirement_links(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _upload(admin_a, _p(project_id, "requirements/import"), GOOD)
    content = (
        "title,steps,expected_result,module,requirement_codes\n"
        "Post MIRO invoice,1. MIRO 2. Enter PO,Invoice posted,MM,REQ-0001\n"
        "Cheque to bank,1. FTR_EDIT,Cheque in portfolio,FI,REQ-0001 REQ-0002\n"
    )
    response = admin_a.post(_p(project_id, "test-cases/import"), data=content.encode(), content_type="text/csv")
    assert response.status_code == 200 and response.json["created"] == 2, response.json
    cases = admin_a.get(_p(project_id, "test-cases")).json["items"]
    assert [r["code"] for r in cases[1]["requirements"]] == ["REQ-0001", "REQ-0002"]
    exported = admin_a.get(_p(project_id, "test-cases/export")).data
    again = admin_a.post(_p(project_id, "test-cases/import"), data=exported, content_type="text/csv")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2}
    bad = admin_a.post(
        _p(project_id, "test-cases/import"),
        data=b"title,module,requirement_codes\nx,FI,REQ-0404\n",
        content_type="text/csv",
    )
    assert bad.status_code == 422 and set(bad.json["errors"]["row 2"]) == {"requirement_codes"}
