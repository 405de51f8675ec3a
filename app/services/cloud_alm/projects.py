"""Which Cloud ALM project (and scope) a Meridian project syncs with: picked by the admin from the lists
Cloud ALM gives (GET /api/calm-projects/v1/projects, GET /api/calm-processmanagement/v1/scopes), and
checked against a fresh read of those lists when saved, never typed in as a UUID nobody verified."""

from app.extensions import db
from app.integrations.cloud_alm.client import CloudALMClient, CloudALMError
from app.integrations.errors import GatewayError
from app.models import Project
from app.services import integration_service
from app.services.cloud_alm import config
from app.services.common import check_version
from app.utils.errors import Conflict, ValidationFailed


def _client() -> CloudALMClient:
    return CloudALMClient(integration_service.build_connector(config.require_connection()).gateway)


def _read(loader):
    try:
        return loader()
    except (CloudALMError, GatewayError) as exc:
        raise Conflict(f"SAP Cloud ALM could not be read: {exc}") from None


def alm_projects() -> list[dict]:
    """[{id, name, status}] as Cloud ALM lists them now (an admin page reads it rarely; a project created
    in Cloud ALM a minute ago must be there to pick)."""
    client = _client()
    return _read(
        lambda: [
            {"id": str(p.get("id")), "name": str(p.get("name") or ""), "status": p.get("status")}
            for p in client.list_projects()
        ]
    )


def alm_scopes(alm_project_id: str) -> list[dict]:
    client = _client()
    return _read(
        lambda: [{"id": str(s.get("id")), "name": str(s.get("name") or "")} for s in client.list_scopes(alm_project_id)]
    )


def map_project(project: Project, data: dict, expected_version: int | None) -> Project:
    """Set (or clear, with null) the project's Cloud ALM project and scope; both must be in Cloud ALM's
    current lists (422 with the field otherwise)."""
    check_version(project, expected_version)
    alm_project = data.get("cloud_alm_project_id")
    scope = data.get("cloud_alm_scope_id")
    if alm_project is None:
        if scope is not None:
            raise ValidationFailed(
                "A scope needs a project.", errors={"cloud_alm_scope_id": ["Pick the Cloud ALM project first."]}
            )
    else:
        if not any(p["id"] == alm_project for p in alm_projects()):
            raise ValidationFailed(
                "Unknown Cloud ALM project.",
                errors={"cloud_alm_project_id": ["Not a project this SAP Cloud ALM connection can see."]},
            )
        if scope is not None and not any(s["id"] == scope for s in alm_scopes(alm_project)):
            raise ValidationFailed(
                "Unknown Cloud ALM scope.",
                errors={"cloud_alm_scope_id": ["Not a scope of the chosen Cloud ALM project."]},
            )
    project.cloud_alm_project_id, project.cloud_alm_scope_id = alm_project, scope
    db.session.commit()
    return project


def mapping_dict(project: Project) -> dict:
    return {
        "project_id": str(project.id),
        "cloud_alm_project_id": project.cloud_alm_project_id,
        "cloud_alm_scope_id": project.cloud_alm_scope_id,
        "version": project.version,
    }
