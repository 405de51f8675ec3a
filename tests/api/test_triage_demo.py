"""The demo war room carries the triage assistant's history: recurring corpus problems in Turkish and English,
worked by the demo users standing in for the corpus's resolver personas, one still open."""

from app.cli import DEMO_PASSWORD, build_demo
from app.demo import triage as triage_demo
from app.demo.triage_corpus import demo_incidents
from app.extensions import db
from app.utils import tenant_context
from tests.fixtures.app import login


def test_the_demo_war_room_suggests_from_its_recurring_problems(app, client):
    with app.app_context():
        build_demo()
        db.session.remove()
    tenant_context.clear()
    support = login(client, "support2@demo.test", DEMO_PASSWORD)
    projects = {p["code"]: p["id"] for p in support.get("/api/v1/projects").json["items"]}
    url = f"/api/v1/projects/{projects['S4-LOG']}/hypercare"
    corpus = demo_incidents(triage_demo.COUNT)
    titles = {c.title for c in corpus}
    listed = support.get(f"{url}/incidents", query_string={"limit": 200}).json["items"]
    mine = [i for i in listed if i["title"] in titles]
    assert len(mine) == len(corpus)
    assert {i["assignee"]["name"] for i in mine} <= {
        "Elif Şahin",
        "Jonas Weber",
        "Can Yılmaz",
        "Sofia Rossi",
        "Priya Nair",
    }
    still_open = [i for i in mine if i["status"] not in ("resolved", "closed")]
    assert len(still_open) == 1 and still_open[0]["priority"] in ("p3", "p4")
    assert all(i["root_cause"] for i in mine if i["status"] == "resolved")

    again = next(c for c in corpus if c.title == still_open[0]["title"])
    answer = support.post(
        f"{url}/triage/suggestions", json={"title": again.title, "description": "Same again this morning."}
    ).json
    assert answer["duplicate"]["id"] == still_open[0]["id"]
    assert any(s["root_cause"] for s in answer["similar"]), "a resolved report of the same problem, with its cause"
    assert {s["field"] for s in answer["suggestions"]} >= {"module"}
