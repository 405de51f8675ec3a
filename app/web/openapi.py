"""OpenAPI 3.1 document generated from the URL map and the marshmallow schemas each view declares with
`@doc(...)`: the same schemas load the bodies and dump the answers, so the document cannot drift from what
the server does (issue 15.1). Every /api/v1 route appears, documented or not, so fuzzers see the whole
surface; schemathesis checks the live server against it in CI (`make schemathesis`)."""

import copy
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.schemas.common import FIELD_ERRORS, ProblemSchema
from app.schemas.jobs import JobSchema

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_BODY_METHODS = ("POST", "PUT", "PATCH")

PROBLEM_TITLES = {
    400: "Malformed JSON, or a malformed If-Match",
    401: "No valid session or API token",
    403: "The caller's role or token scope does not allow this",
    404: "No such object in the caller's tenant (another tenant's object is a 404 too)",
    409: "A stale If-Match version, or the object's state does not allow the change",
    413: "The body is larger than the server accepts",
    415: "The body is not of the documented media type",
    422: "Field-level validation errors (`errors`: field -> messages, nested for objects and list items)",
    429: "Rate limit spent (Retry-After says when to try again)",
}


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
    partial: bool = False,
    problems=(),
    envelope=None,
    headers=None,
):
    """Describe a view: its JSON body, its answer (`many`: a page of them), and `args`, the QueryArgs
    schema its query string is loaded with (app/web/http.py `load_args`). `body_type` names another request
    media type (multipart/form-data for uploads); `produces` a binary answer's media type (downloads).

    A PATCH body is always documented as partial (no field required); a PUT that shares its view with a PATCH
    replaces (load_body). `partial=True` marks a PUT-only view that loads its body partially. `problems`
    adds problem statuses the generic rule (`_problem_statuses`) cannot see, e.g. 409 from an upstream
    system on a GET; `envelope` ({name: marshmallow field}) the members a list body has beside the page's;
    `headers` ({name: JSON schema}) the request headers the view requires (an inbound webhook's signature)."""

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
            "partial": partial,
            "problems": tuple(problems),
            "envelope": envelope or {},
            "headers": headers or {},
        }
        return view

    return decorator


def _schema_name(schema) -> str:
    schema_cls = schema if isinstance(schema, type) else type(schema)
    return schema_cls.__name__.removesuffix("Schema") or schema_cls.__name__


def _schema_ref(spec: APISpec, schema) -> dict:
    name = _schema_name(schema)
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema if isinstance(schema, type) else type(schema))
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(ref: dict, extra: dict) -> dict:
    """The list envelope of app/services/pagination.py, exactly, with a list's own extra members."""
    page = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ref},
            "total": {"type": "integer", "minimum": 0},
            "total_capped": {
                "type": "boolean",
                "description": "true: more rows match than `total` (the count stops at its cap)",
            },
        },
        "required": ["items", "total", "total_capped"],
        "additionalProperties": False,
    }
    page["properties"].update(extra)
    page["required"] += sorted(extra)
    return page


def _problem_statuses(method: str, meta: dict, secured: bool, has_path_params: bool) -> list[int]:
    """The problem statuses an operation can answer, from what it takes: a body can be malformed (400), of
    another media type (415), too large (413) or invalid (422); a write can conflict (409, also a stale
    If-Match); a path names an object that may not exist (404); every route is rate limited (429). The
    public writes (sign-in, links from e-mails) answer 401 for wrong credentials and 404 for a dead link."""
    statuses = {429, *meta.get("problems", ())}
    if secured or method != "GET":
        statuses |= {401, 403}
    if has_path_params or secured or method != "GET":
        statuses.add(404)  # an unknown object, or a project-scoped route whose project is not the caller's
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses |= {400, 409, 422}
    if meta.get("body") is not None and method in _BODY_METHODS:
        statuses |= {400, 413, 415, 422}
    if meta.get("args") is not None:
        statuses.add(422)
    return sorted(statuses)


def build_spec(app) -> dict:
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(title="Meridian API", version="1.0.0", openapi_version="3.1.0", plugins=[marshmallow_plugin])
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A session's access token (JWT) or an API token (`mrd_…`, Administration › API and events)",
        },
    )
    problem = {"content": {"application/problem+json": {"schema": _schema_ref(spec, ProblemSchema)}}}
    job = _schema_ref(spec, JobSchema)
    paths: dict[str, dict] = {}
    partial_bodies: set[str] = set()
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
        parameters += [
            {"name": name, "in": "header", "required": True, "schema": schema}
            for name, schema in meta.get("headers", {}).items()
        ]
        if meta.get("args") is not None:
            query = marshmallow_plugin.converter.schema2parameters(meta["args"], location="query")
            parameters = parameters + [_empty_is_absent(parameter) for parameter in query]
        secured = getattr(view, "_permission", None) is not None or getattr(view, "_authenticated", False)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        for method in sorted(methods):
            status = int(meta.get("status", 200))
            operation = {
                "summary": meta.get("summary") or rule.endpoint,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "tags": meta.get("tags") or [rule.endpoint.split(".")[0]],
                "parameters": parameters,
                "responses": {},
            }
            if secured:
                operation["security"] = [{"bearer": []}]
            if meta.get("body") is not None and method in _BODY_METHODS:
                ref = _schema_ref(spec, meta["body"])
                partial = method == "PATCH" or (method == "PUT" and meta.get("partial") and "PATCH" not in methods)
                if partial:
                    name = ref["$ref"].rsplit("/", 1)[1]
                    partial_bodies.add(name)
                    ref = {"$ref": f"#/components/schemas/{name}Patch"}
                operation["requestBody"] = {
                    "required": True,
                    "content": {meta.get("body_type", "application/json"): {"schema": ref}},
                }
                operation["description"] = (
                    "Partial update: send only the fields to change."
                    if partial
                    else ("Replaces the object: every required field must be sent." if method == "PUT" else "")
                )
            response = {"description": "OK" if status != 202 else "Accepted: the job; poll its status_url"}
            if meta.get("response") is not None:
                ref = _schema_ref(spec, meta["response"])
                if meta.get("many"):
                    extra = {
                        name: marshmallow_plugin.converter.field2property(field)
                        for name, field in meta.get("envelope", {}).items()
                    }
                    ref = _page_of(ref, extra)
                response["content"] = {"application/json": {"schema": ref}}
            elif status == 202:
                response["content"] = {"application/json": {"schema": job}}
                response["headers"] = {"Location": {"schema": {"type": "string"}, "description": "The job's URL"}}
            elif meta.get("produces"):
                produces = meta["produces"]
                binary = {"schema": {"type": "string", "format": "binary"}}
                response["content"] = dict.fromkeys([produces] if isinstance(produces, str) else produces, binary)
            operation["responses"][str(status)] = response
            for code in _problem_statuses(method, meta, secured, bool(_CONVERTER.search(rule.rule))):
                operation["responses"][str(code)] = {"description": PROBLEM_TITLES[code], **problem}
            paths.setdefault(path, {})[method.lower()] = operation
    _add_links(paths)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    schemas = document["components"]["schemas"]
    schemas["FieldErrors"] = {**FIELD_ERRORS, "description": "Field -> messages, or a nested map of the same"}
    schemas["Problem"]["properties"]["errors"] = {"$ref": "#/components/schemas/FieldErrors"}
    for name in sorted(partial_bodies):
        variant = copy.deepcopy(schemas[name])
        variant.pop("required", None)
        variant["description"] = f"{name} for a partial update (PATCH): every field optional."
        schemas[f"{name}Patch"] = variant
    _null_in_enums(document)
    return document


def _empty_is_absent(parameter: dict) -> dict:
    """load_args drops empty values (`?status=` is no filter), so an empty value is valid for every query
    parameter whatever its format or vocabulary."""
    schema = parameter.get("schema")
    if schema and not (schema.get("type") == "string" and not schema.get("minLength") and len(schema) == 1):
        parameter = {**parameter, "schema": {"anyOf": [schema, {"type": "string", "maxLength": 0}]}}
    return parameter


def _add_links(paths: dict) -> None:
    """OpenAPI links from each create (POST answering 201 with an `id`) to the operations on the created
    object (`<collection>/{x_id}`), so schemathesis' stateful phase creates, reads, changes and deletes."""
    for path, operations in paths.items():
        create = operations.get("post")
        if create is None or "201" not in create["responses"]:
            continue
        for item_path, item_ops in paths.items():
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", item_path)
            if not match:
                continue
            links = {}
            for method, target in sorted(item_ops.items()):
                params = {p["name"]: f"$request.path.{p['name']}" for p in create["parameters"] if p["in"] == "path"}
                params[match.group(1)] = "$response.body#/id"
                links[f"{method.capitalize()}{match.group(1)}"] = {
                    "operationId": target["operationId"],
                    "parameters": params,
                }
            create["responses"]["201"].setdefault("links", {}).update(links)


def _null_in_enums(node) -> None:
    """apispec writes a nullable enum as `type: [..., "null"]` with an enum that lacks null, which would
    refuse the null the type allows; OpenAPI 3.1 (JSON Schema) needs null in the enum too."""
    if isinstance(node, dict):
        types = node.get("type")
        if isinstance(types, list) and "null" in types and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            _null_in_enums(value)
    elif isinstance(node, list):
        for value in node:
            _null_in_enums(value)
