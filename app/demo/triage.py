"""The triage assistant's history in the demo war room (issue 19): a handful of reports of recurring go-live
problems from the labelled corpus (app/demo/triage_corpus.py `demo_incidents`), each problem reported once in
Turkish and once in English, as a Turkish customer's key users and the SI's English-speaking team would.
All are resolved with the corpus's root cause and resolution by the demo user who stands in for the corpus's
resolver persona, except the last English report on support hours (P3/P4): it stays open and assigned, so a
new report of the same problem meets the duplicate warning, and it cannot breach while the demo is shown. `steps()` hands them to the hypercare demo, which runs every step in time order.
"""

from datetime import datetime, timedelta

from app.demo.triage_corpus import RESOLVERS, LabelledIncident, demo_incidents
from app.services.hypercare import incidents

CUSTOMER = "customer@demo.test"
# The corpus's resolver personas -> the demo users doing that work in S4-LOG's hypercare.
PERSONAS = {
    "mm.lead": "consultant@demo.test",
    "mm.consultant": "consultant@demo.test",
    "pp.consultant": "consultant@demo.test",
    "qm.consultant": "consultant@demo.test",
    "sd.lead": "support2@demo.test",
    "sd.consultant": "support2@demo.test",
    "ewm.consultant": "support3@demo.test",
    "fi.lead": "fi.consultant@demo.test",
    "fi.consultant": "fi.consultant@demo.test",
    "co.consultant": "fi.consultant@demo.test",
    "basis.admin": "support3@demo.test",
    "basis.security": "support3@demo.test",
    "btp.developer": "support3@demo.test",
    "abap.developer": "support3@demo.test",
}
assert set(PERSONAS) == set(RESOLVERS), "every corpus resolver persona needs a demo user"

COUNT = 6  # three problems, each in Turkish and in English
# (day after go-live, Berlin time) of each resolved report; resolved 2 h 40 min later, inside every SLA.
WHEN = ((4, "10:20"), (6, "09:40"), (8, "14:05"), (12, "11:30"), (15, "10:10"))


def steps(users: dict, day, ago, project) -> list[tuple[datetime, str, object]]:
    """(when, actor e-mail, action(user)) for the hypercare demo's timeline; `day(n, "HH:MM")` and `ago(**delta)`
    are its clocks. The actions call the same incident services as every other demo step."""
    made: dict = {}
    reports = demo_incidents(COUNT)
    still_open = max(i for i, r in enumerate(reports) if r.lang == "en" and r.priority in ("p3", "p4"))
    when = iter(WHEN)
    out = []
    for number, labelled in enumerate(reports):
        resolver = PERSONAS[labelled.resolver]
        reported = ago(hours=2) if number == still_open else day(*next(when))
        out.append((reported, CUSTOMER, _report(project, made, labelled)))
        out.append((reported + timedelta(minutes=12), resolver, _take(project, made, labelled, users[resolver])))
        if number != still_open:
            out.append((reported + timedelta(minutes=160), resolver, _resolve(project, made, labelled)))
    return out


def _report(project, made: dict, labelled: LabelledIncident):
    def run(user):
        made[labelled.id] = incidents.create_incident(
            project,
            user,
            {
                "title": labelled.title,
                "description": labelled.description,
                "priority": labelled.priority,
                "affected_module": labelled.module,
                "incident_type": labelled.incident_type,
            },
        )

    return run


def _take(project, made: dict, labelled: LabelledIncident, resolver):
    def run(user):
        incident = made[labelled.id]
        incidents.update_incident(project, incident, {"assigned_to_id": resolver.id}, None, user)
        incidents.add_first_response(project, incident, user)

    return run


def _resolve(project, made: dict, labelled: LabelledIncident):
    def run(user):
        incidents.resolve_incident(
            project,
            made[labelled.id],
            {
                "root_cause": labelled.root_cause,
                "root_cause_category": labelled.root_cause_category,
                "resolution_notes": labelled.resolution,
            },
            user,
        )

    return run
