"""OpenAPI 3 document generated from the URL map and the marshmallow schemas each view declares with
`@doc(...)`. Every /api/v1 route appears, documented or not, so fuzzers see the whole surface."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.schemas.common import ProblemSchema

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def doc(
    summary: str = "",
    body=None,
    response=None,
    many: bool = False,
    status: int = 200,
    tags=None,
    args=None,
    body_type: str = "application/json",
    produces: str | None = None,
):
    """Describe a view: its JSON body, its answer (`many`: a page of them), and `args`, the QueryArgs
    schema its query string is loaded with (app/web/http.py `load_args`). `body_type` names another request
    media type (multipart/form-data for uploads); `produces` a binary answer's media type (downloads)."""

    def decorator(view):
        view._openapi = {
            "summary": summary,
            "body": body,
            "response": response,
            "many": many,
            "status": status,
            "tags": tags,
            "args": args,
            "body_type": body_type,
            "produces": produces,
        }
        return view

    return decorator


def _schema_ref(spec: APISpec, schema) -> dict:
    schema_cls = schema if isinstance(schema, type) else type(schema)
    name = schema_cls.__name__.removesuffix("Schema") or schema_cls.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema_cls)
    return {"$ref": f"#/components/schemas/{name}"}


def build_spec(app) -> dict:
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(title="Meridian API", version="1.0.0", openapi_version="3.0.3", plugins=[marshmallow_plugin])
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A session's access token (JWT) or an API token (`mrd_…`, Administration › API and events)",
        },
    )
    problem = _schema_ref(spec, ProblemSchema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "_openapi", {})
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"} if conv == "uuid" else {"type": "string"},
            }
            for conv, name in _CONVERTER.findall(rule.rule)
        ]
        if meta.get("args") is not None:
            parameters = parameters + marshmallow_plugin.converter.schema2parameters(meta["args"], location="query")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "summary": meta.get("summary") or rule.endpoint,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "tags": meta.get("tags") or [rule.endpoint.split(".")[0]],
                "parameters": parameters,
                "responses": {
                    "default": {"description": "Problem", "content": {"application/problem+json": {"schema": problem}}}
                },
            }
            if getattr(view, "_permission", None) is not None or getattr(view, "_authenticated", False):
                operation["security"] = [{"bearer": []}]
            if meta.get("body") is not None and method in ("POST", "PUT", "PATCH"):
                operation["requestBody"] = {
                    "required": True,
                    "content": {meta.get("body_type", "application/json"): {"schema": _schema_ref(spec, meta["body"])}},
                }
            response = {"description": "OK"}
            if meta.get("response") is not None:
                ref = _schema_ref(spec, meta["response"])
                if meta.get("many"):
                    ref = {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": ref},
                            "total": {"type": "integer"},
                            "total_capped": {
                                "type": "boolean",
                                "description": "true: more rows match than `total` (the count stops at its cap)",
                            },
                        },
                    }
                response["content"] = {"application/json": {"schema": ref}}
            elif meta.get("produces"):
                response["content"] = {meta["produces"]: {"schema": {"type": "string", "format": "binary"}}}
            operation["responses"][str(meta.get("status", 200))] = response
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
