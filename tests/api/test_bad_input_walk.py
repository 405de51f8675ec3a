"""Bad input never produces a 500: every write route, with the caller's own objects in the path, is sent
a set of malformed bodies, and every field its documented body schema (`@doc(body=...)`) declares is sent
text and numbers no store can hold; every documented query argument likewise. Routes are read from the URL
map, so later routes are covered automatically."""

import json
import re
from urllib.parse import quote

from marshmallow import fields

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
    ("nested 100,000 deep", b'{"a": ' * 100_000 + b"1" + b"}" * 100_000),
    ("arrays 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
]

# Per declared field: PostgreSQL refuses NUL in text, UTF-8 cannot carry a lone surrogate, BIGINT ends at 2**63.
POISON = {"NUL": "a\x00b", "lone surrogate": "a\ud800b", "beyond 64 bits": 2**70}


_NUL_ARG = quote("a\x00b")


def _loadable(schema) -> dict:
    schema = schema() if isinstance(schema, type) else schema
    return {name: field for name, field in schema.fields.items() if not field.dump_only}


def _poisoned_bodies(view) -> list[tuple[str, bytes]]:
    meta = getattr(view, "_openapi", {})
    if meta.get("body") is None or meta.get("body_type", "application/json") != "application/json":
        return []
    bodies = []
    for label, poison in POISON.items():
        wanted = fields.Integer if isinstance(poison, int) else fields.String
        body = {name: poison for name, field in _loadable(meta["body"]).items() if isinstance(field, wanted)}
        if body:
            bodies.append((f"fields {label}", json.dumps(body).encode()))  # json.dumps escapes \x00, \ud800
    return bodies


def _poisoned_queries(view) -> list[tuple[str, str]]:
    args = getattr(view, "_openapi", {}).get("args")
    if args is None:
        return []
    queries = []
    for name, field in _loadable(args).items():
        if isinstance(field, fields.Integer):
            queries.append((f"{name} beyond 64 bits", f"{name}={2**70}"))
        elif isinstance(field, fields.String | fields.List):
            queries.append((f"{name} NUL", f"{name}={_NUL_ARG}"))
    return queries


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
        view = app.view_functions[rule.endpoint]
        for label, body in BAD_BODIES + _poisoned_bodies(view):
            response = admin_a.open(url, method, data=body, headers={"Content-Type": "application/json"})
            if response.status_code >= 500 or (
                response.status_code >= 400 and response.mimetype != "application/problem+json"
            ):
                failures.append(f"{method} {rule.rule} [{label}] -> {response.status_code} {response.mimetype}")
            elif label.startswith("fields ") and response.status_code < 400:
                failures.append(f"{method} {rule.rule} [{label}] -> {response.status_code}: stored")
        if method in ("PUT", "PATCH"):
            response = admin_a.open(url, method, json={}, headers={"If-Match": f'"{2**70}"'})
            if response.status_code >= 500:
                failures.append(f"{method} {rule.rule} [If-Match beyond 64 bits] -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_no_read_route_answers_500_to_unstorable_query_arguments(app, tenant_a, admin_a, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        and "GET" in rule.methods
        and _poisoned_queries(app.view_functions[rule.endpoint])
    ]
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        ctx, values = {}, {}
        for rule in routes:
            for name in _PARAM.findall(rule.rule):
                if name not in values:
                    values[name] = FACTORIES[name](ctx)
        db.session.commit()
        values = {k: str(v) for k, v in values.items()}

    failures = []
    for rule in routes:
        url = _PARAM.sub(lambda m: values[m.group(1)], rule.rule)
        for label, query in _poisoned_queries(app.view_functions[rule.endpoint]):
            response = admin_a.get(f"{url}?{query}")
            if response.status_code >= 500 or (
                response.status_code >= 400 and response.mimetype != "application/problem+json"
            ):
                failures.append(f"GET {rule.rule} [{label}] -> {response.status_code} {response.mimetype}")
    assert not failures, "\n".join(failures)
