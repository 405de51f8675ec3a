"""A client no one here wrote (issue 15 item 3): openapi-python-client generates a Python package from the
app's own /api/v1/openapi.json, and that package drives a real flow over HTTP (httpx through WSGI): an admin
signs in, mints an API token, and the token creates a project, a requirement and an incident, reads each back
and pages a list. A document that drifts from the answers fails here: generation refuses warnings, and every
parsed answer is checked against its raw JSON (the generated parsers let unknown keys and wrong types by)."""

import datetime
import enum
import importlib
import json
import subprocess
import sys
import types
import typing
import uuid

import attrs
import httpx
import pytest

from tests.fixtures.app import PASSWORD

_PACKAGE = "meridian_generated_client"

# Media types the generator reads itself; every other one in the document (PNG thumbnails, CSV and XLSX
# exports, all declared as binary strings) it can only skip with a warning, so the config maps them to
# application/octet-stream: bytes, which they are.
_READABLE = ("application/json", "application/octet-stream", "multipart/form-data", "application/x-www-form-urlencoded")


def _generator_config(document: dict) -> dict:
    """The generator's own settings, not the document's: the media types above, and no ruff pass over the
    generated code (faster, and it is only imported)."""
    binary = {
        media_type
        for media_type in _media_types(document)
        if media_type not in _READABLE and not media_type.endswith("+json") and not media_type.startswith("text/")
    }
    return {"post_hooks": [], "content_type_overrides": dict.fromkeys(sorted(binary), "application/octet-stream")}


def _media_types(node):
    """Every media type named under a `content` (a request body's or an answer's)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "content" and isinstance(value, dict):
                yield from (name for name in value if "/" in name)
            yield from _media_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from _media_types(item)


@pytest.fixture(scope="session")
def generated(app, tmp_path_factory):
    """The generated package, built once per session from the document the app serves right now."""
    work = tmp_path_factory.mktemp("generated_client")
    document = app.test_client().get("/api/v1/openapi.json")
    assert document.status_code == 200
    (work / "openapi.json").write_text(json.dumps(document.json))
    (work / "config.json").write_text(json.dumps(_generator_config(document.json)))
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none", "--fail-on-warning"]
    command += ["--path", str(work / "openapi.json"), "--config", str(work / "config.json")]
    command += ["--output-path", str(work / _PACKAGE)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    # --fail-on-warning sets the exit code; the text check also holds if a later version only prints them.
    assert result.returncode == 0 and "Warning" not in output, f"the generator refused the document:\n{output}"
    sys.path.insert(0, str(work))
    try:
        yield types.SimpleNamespace(
            client=importlib.import_module(f"{_PACKAGE}.client"),
            models=importlib.import_module(f"{_PACKAGE}.models"),
            api=lambda name: importlib.import_module(f"{_PACKAGE}.api.{name}"),
        )
    finally:
        sys.path.remove(str(work))
        for name in [n for n in sys.modules if n == _PACKAGE or n.startswith(_PACKAGE + ".")]:
            del sys.modules[name]


def _http(app, **headers) -> httpx.Client:
    """HTTP into the Flask app in-process (WSGI): the generated code sends real requests, no server needed."""
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://localhost", headers=headers)


def _call(operation, status: int, expected, **kwargs):
    """Call a generated operation; the answer has the status and parses to the declared model."""
    response = operation.sync_detailed(**kwargs)
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, expected), (type(response.parsed), response.content)
    _conforms(response.parsed, json.loads(response.content), type(response.parsed).__name__)
    return response.parsed


def _choice(operation, parameter: str, value: str):
    """A query value as the operation's signature types it: an enum when the document lists the choices
    (its class name depends on how the parameter is declared), else the string itself."""
    hint = typing.get_type_hints(operation.sync_detailed)[parameter]
    for option in typing.get_args(hint):
        if isinstance(option, type) and issubclass(option, enum.Enum):
            return option(value)
    return value


# -- the answer is what the document says -------------------------------------------------------------------


def _conforms(model, raw, where: str) -> None:
    """The generated from_dict ignores keys it does not know and passes wrong types through its unions, so a
    document that under-declares or mistypes a field would still "parse". Here every key of the answer must
    be a declared attribute (the model writes the same JSON back) and every value the declared type."""
    assert model.to_dict() == raw, f"{where}: the answer has keys or values the document does not declare"
    _typed(model, where)


def _typed(model, where: str) -> None:
    cls = type(model)
    module = sys.modules[cls.__module__]
    package_models = sys.modules[cls.__module__.rsplit(".", 1)[0]]
    hints = typing.get_type_hints(cls, {**vars(package_models), **vars(module)})
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            continue
        _check(getattr(model, field.name), hints[field.name], f"{where}.{field.name}")


def _check(value, hint, where: str) -> None:
    options = (
        typing.get_args(hint)
        if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
        else (hint,)
    )
    for option in options:
        if _matches(value, option, where):
            return
    pytest.fail(f"{where}: {value!r} is not {hint}")


def _matches(value, option, where: str) -> bool:
    origin = typing.get_origin(option)
    if option is typing.Any:
        return True
    if option is type(None):
        return value is None
    if origin is list:
        if not isinstance(value, list):
            return False
        for i, item in enumerate(value):
            _check(item, typing.get_args(option)[0], f"{where}[{i}]")
        return True
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(value, bool) and option is not bool:
        return False  # bool is an int to isinstance; a boolean where a number is declared is a mistype
    if option is float:
        return isinstance(value, (int, float))
    if not isinstance(value, option):
        return False
    if attrs.has(option):
        _typed(value, where)
    return True


# -- the flow -----------------------------------------------------------------------------------------------


def _client(generated, app, token: str | None = None):
    """A generated Client (anonymous) or AuthenticatedClient. The httpx client handed to it replaces the one
    it would build, so the bearer header rides on that."""
    if token is None:
        return generated.client.Client(base_url="http://localhost").set_httpx_client(_http(app))
    client = generated.client.AuthenticatedClient(base_url="http://localhost", token=token)
    return client.set_httpx_client(_http(app, Authorization=f"Bearer {token}"))


@pytest.fixture
def bot(app, generated, tenant_a):
    """Through the generated client only: the admin signs in with e-mail and password, mints a pm API token,
    and the client that carries it (`Authorization: Bearer mrd_…`) is the one the flow runs as."""
    models, api = generated.models, generated.api
    signed_in = _call(
        api("auth.auth_login_post"),
        200,
        models.LoginResult,
        client=_client(generated, app),
        body=models.Login(email=tenant_a["admin_email"], password=PASSWORD),
    )
    minted = _call(
        api("api_tokens.api_tokens_create_token_post"),
        201,
        models.ApiTokenCreated,
        client=_client(generated, app, signed_in.access_token),
        body=models.ApiToken(name="generated client", role=models.ApiTokenRole.PM),
    )
    assert minted.token.startswith("mrd_") and minted.status == models.ApiTokenCreatedStatus.ACTIVE
    return types.SimpleNamespace(client=_client(generated, app, minted.token), token=minted)


def test_the_token_signs_the_client_in_as_its_service_user(generated, bot):
    me = _call(generated.api("auth.auth_me_get"), 200, generated.models.Me, client=bot.client)
    assert me.role == generated.models.MeRole.PM and me.id == bot.token.service_user_id
    assert me.kind == "service"


def test_a_project_a_requirement_and_an_incident_round_trip(generated, bot):
    models, api, client = generated.models, generated.api, bot.client
    project = _call(
        api("projects.projects_create_project_post"),
        201,
        models.Project,
        client=client,
        body=models.Project(code="GEN", name="Generated client", description="made through the document"),
    )
    assert project.code == "GEN" and isinstance(project.id, uuid.UUID) and project.version == 1
    again = _call(api("projects.projects_get_project_get"), 200, models.Project, client=client, project_id=project.id)
    assert (again.id, again.name, again.description) == (project.id, "Generated client", "made through the document")
    assert again.created_by == bot.token.service_user_id
    missing = _call(
        api("projects.projects_get_project_get"), 404, models.Problem, client=client, project_id=uuid.uuid4()
    )
    assert missing.status == 404

    requirement = _call(
        api("explore.requirements_create_requirement_post"),
        201,
        models.Requirement,
        client=client,
        project_id=project.id,
        body=models.RequirementCreate(title="Three-way match on invoices", module=models.RequirementCreateModule.FI),
    )
    assert requirement.code == "REQ-0001" and requirement.module == models.RequirementModule.FI
    read = _call(
        api("explore.requirements_get_requirement_get"),
        200,
        models.Requirement,
        client=client,
        project_id=project.id,
        requirement_id=requirement.id,
    )
    assert (read.id, read.title, read.status) == (requirement.id, "Three-way match on invoices", requirement.status)

    incident = _call(
        api("hypercare.hypercare_create_incident_post"),
        201,
        models.Incident,
        client=client,
        project_id=project.id,
        body=models.Incident(title="Invoices stuck in parking", priority=models.IncidentPriority.P2),
    )
    assert incident.priority == models.IncidentPriority.P2 and incident.number == "INC-0001"
    assert isinstance(incident.sla_response_deadline, datetime.datetime) and incident.closed_at is None
    got = _call(
        api("hypercare.hypercare_get_incident_get"),
        200,
        models.IncidentDetail,
        client=client,
        project_id=project.id,
        incident_id=incident.id,
    )
    assert (got.id, got.number, got.title, got.status) == (incident.id, "INC-0001", incident.title, incident.status)
    assert (got.sla.state, got.sla.clock) == ("ok", "response")
    assert [event.type_ for event in got.timeline] == ["created"]


def test_lists_page_with_limit_offset_and_total(generated, bot):
    models, api, client = generated.models, generated.api, bot.client
    project = _call(
        api("projects.projects_create_project_post"),
        201,
        models.Project,
        client=client,
        body=models.Project(code="PAGE", name="Paged"),
    )
    for title in ("Three-way match", "Dunning levels", "Bank statement import"):
        _call(
            api("explore.requirements_create_requirement_post"),
            201,
            models.Requirement,
            client=client,
            project_id=project.id,
            body=models.RequirementCreate(title=title, module=models.RequirementCreateModule.FI),
        )
    listing = api("explore.requirements_list_requirements_get")
    page = models.RequirementsListRequirementsGetResponse200
    by_code = _choice(listing, "sort", "code")
    first = _call(listing, 200, page, client=client, project_id=project.id, limit=2, offset=0, sort=by_code)
    second = _call(listing, 200, page, client=client, project_id=project.id, limit=2, offset=2, sort=by_code)
    assert first.total == second.total == 3
    assert [r.code for r in first.items] == ["REQ-0001", "REQ-0002"] and [r.code for r in second.items] == ["REQ-0003"]
    assert all(isinstance(r, models.Requirement) for r in first.items + second.items)

    for title in ("Printer offline", "Posting period closed"):
        _call(
            api("hypercare.hypercare_create_incident_post"),
            201,
            models.Incident,
            client=client,
            project_id=project.id,
            body=models.Incident(title=title),
        )
    incidents = api("hypercare.hypercare_list_incidents_get")
    page = models.HypercareListIncidentsGetResponse200
    one = _call(incidents, 200, page, client=client, project_id=project.id, limit=1, offset=1)
    assert one.total == 2 and len(one.items) == 1 and isinstance(one.items[0], models.Incident)
