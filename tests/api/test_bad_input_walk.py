"""Bad input never produces a 500: every write route, with the caller's own objects in the path, is sent
a set of malformed bodies. Routes are read from the URL map, so later routes are covered automatically."""

import re

from app.extensions import db
from app.utils import tenant_context
from tests.fixtures.isolation_registry import FACTORIES

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")

BAD_BODIES = [
    ("array", b"[1, 2, 3]"),
    ("string", b'"hello"'),
    ("number", b"42"),
    ("null", b"null"),
    ("wrong types", b'{"name": 123, "code": ["x"], "email": {"a": 1}, "status": 7, "priority": null, "id": "x"}'),
    ("huge numbers", b'{"limit": 1e999, "version": 99999999999999999999999, "effort": -1e308}'),
    ("nested", b'{"a": ' * 50 + b"1" + b"}" * 50),
    ("truncated", b'{"name": "unterminated'),
    ("invalid utf-8", b'{"name": "\xff\xfe"}'),
    ("control chars", b'{"name": "\\u0000\\u0001", "title": "\\ud800"}'),
]


def test_no_write_route_answers_500_to_malformed_bodies(app, tenant_a, admin_a, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)  # many requests; a 429 would hide answers
    routes = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"})
    ]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        ctx, values = {}, {}
        for rule, _ in routes:
            for name in _PARAM.findall(rule.rule):
                if name not in values:
                    values[name] = FACTORIES[name](ctx)
        db.session.commit()
        values = {k: str(v) for k, v in values.items()}

    failures = []
    for rule, method in routes:
        url = _PARAM.sub(lambda m: values[m.group(1)], rule.rule)
        for label, body in BAD_BODIES:
            response = admin_a.open(url, method, data=body, headers={"Content-Type": "application/json"})
            if response.status_code >= 500 or (
                response.status_code >= 400 and response.mimetype != "application/problem+json"
            ):
                failures.append(f"{method} {rule.rule} [{label}] -> {response.status_code} {response.mimetype}")
    assert not failures, "\n".join(failures)
