"""Projects and their members. A `customer` user sees only the projects they are a member of."""

import uuid

from sqlalchemy import or_, select

from app.extensions import db
from app.models import HypercareCalendar, Project, ProjectMember, Tenant, User
from app.services import audit_service, job_service, project_cache
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.errors import Conflict, NotFound, ValidationFailed
from app.utils.like import icontains


def _visible(stmt, user: User):
    if user.role == "customer":
        member_of = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
        stmt = stmt.where(Project.id.in_(member_of))
    if user.token_project_ids is not None:  # an API token limited to some projects (issue 15.4)
        stmt = stmt.where(Project.id.in_(_token_scope(user)))
    return stmt


def sees_whole_tenant(user: User) -> bool:
    """True when `_visible` limits nothing: every member of staff of a tenant sees the same projects."""
    return user.role != "customer" and user.token_project_ids is None


def _token_scope(user: User) -> list:
    return [uuid.UUID(str(p)) for p in user.token_project_ids]


def list_projects(
    user: User, limit: int, offset: int, phase: str | None = None, q: str | None = None, include_deleted: bool = False
) -> tuple[list[Project], int]:
    stmt = _visible(select(Project), user).order_by(Project.code, Project.id)
    if phase:
        stmt = stmt.where(Project.phase == phase)
    if q:
        stmt = stmt.where(
            or_(icontains(Project.name, q), icontains(Project.code, q), icontains(Project.customer_name, q))
        )
    return paginate(stmt, limit, offset, include_deleted)


def visible_project_ids(user: User) -> list:
    """Ids of every project `user` may see (deleted ones excluded), for searches that span projects."""
    return list(db.session.execute(_visible(select(Project.id), user)).scalars())


def get_project(user: User, project_id, include_deleted: bool = False) -> Project:
    if include_deleted:
        project = Project.get_scoped_or_404(project_id, include_deleted=True)
    else:
        try:
            ident = project_id if isinstance(project_id, uuid.UUID) else uuid.UUID(str(project_id))
        except ValueError:
            raise NotFound("Project not found") from None
        project = project_cache.load(ident, lambda: Project.get_scoped_or_404(ident))
    if user.role == "customer" and not _is_member(project.id, user.id):
        raise NotFound("Project not found")
    if user.token_project_ids is not None and project.id not in _token_scope(user):
        raise NotFound("Project not found")  # outside the token's scope: as if it did not exist
    return project


def _is_member(project_id, user_id) -> bool:
    stmt = select(ProjectMember.id).where(ProjectMember.project_id == project_id, ProjectMember.user_id == user_id)
    return db.session.execute(stmt).first() is not None


def _code_taken(code: str, exclude_id=None) -> bool:
    stmt = select(Project.id).where(Project.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Project.id != exclude_id)
    return db.session.execute(stmt, execution_options={"include_deleted": True}).first() is not None


def _check_dates(data: dict, project: Project | None = None) -> None:
    start = data.get("hypercare_start", project.hypercare_start if project else None)
    end = data.get("hypercare_end", project.hypercare_end if project else None)
    if start and end and end < start:
        raise ValidationFailed(
            "The hypercare window ends before it starts.",
            errors={"hypercare_end": ["Must be on or after hypercare_start."]},
        )


def create_project(data: dict) -> Project:
    if _code_taken(data["code"]):
        raise ValidationFailed(
            "The project could not be created.", errors={"code": ["A project with this code already exists."]}
        )
    _check_dates(data)
    # The tenant's profile (Administration) gives a new project its time zone, unless one is sent, and its
    # SLA support calendar (working days and hours), which the project's SLA settings can change later.
    tenant = db.session.get(Tenant, tenant_context.require_tenant_id())
    project = Project(**{"timezone": tenant.default_timezone, **data})
    db.session.add(project)
    db.session.flush()
    db.session.add(
        HypercareCalendar(
            project_id=project.id,
            working_days=list(tenant.working_days),
            start_time=tenant.work_start,
            end_time=tenant.work_end,
        )
    )
    db.session.commit()
    return project


def update_project(project: Project, data: dict, expected_version: int | None) -> Project:
    check_version(project, expected_version)
    if "code" in data and data["code"] != project.code and _code_taken(data["code"], project.id):
        raise ValidationFailed(
            "The project could not be saved.", errors={"code": ["A project with this code already exists."]}
        )
    _check_dates(data, project)
    for key, value in data.items():
        setattr(project, key, value)
    db.session.commit()
    return project


def delete_project(project: Project, expected_version: int | None) -> None:
    check_version(project, expected_version)
    project.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def restore_project(project: Project) -> Project:
    if not project.is_deleted:
        raise Conflict("The project is not deleted.")
    project.restore()
    db.session.commit()
    return project


def list_members(project: Project) -> list[ProjectMember]:
    stmt = (
        select(ProjectMember)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project.id)
        .order_by(User.name)
    )
    return list(db.session.execute(stmt).scalars().unique())


def add_member(project: Project, user_id) -> ProjectMember:
    user = User.get_scoped_or_404(user_id)  # a foreign id must belong to this tenant
    if user.is_service:  # a token's reach is its scope, set on the token (issue 15.4)
        raise ValidationFailed(
            "An API token is not a project member.", errors={"user_id": ["Limit the token's projects instead."]}
        )
    if _is_member(project.id, user.id):
        raise Conflict("The user is already a member of this project.")
    member = ProjectMember(project_id=project.id, user_id=user.id, created_by=tenant_context.current_actor_id())
    db.session.add(member)
    db.session.commit()
    return member


def remove_member(project: Project, user_id) -> None:
    stmt = select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
    member = db.session.execute(stmt).scalar_one_or_none()
    if member is None:
        raise NotFound("The user is not a member of this project.")
    db.session.delete(member)
    db.session.commit()


EXPORT_JOB = "project_export"


def start_export(project: Project):
    return job_service.start(EXPORT_JOB, {"project_id": str(project.id)})


def export_project(job, report_progress) -> dict:
    """A portable JSON export of one project: its fields, its members and its change history."""
    project = Project.get_scoped_or_404(job.params["project_id"], include_deleted=True)
    members = list_members(project)
    report_progress(1, 3)
    history = audit_service.history("Project", project.id, limit=200, offset=0)[0]
    report_progress(2, 3)
    document = {
        "project": project.audit_state(),
        "members": [
            {"user_id": str(m.user_id), "email": m.user.email, "name": m.user.name, "role": m.user.role}
            for m in members
        ],
        "history": history,
    }
    report_progress(3, 3)
    return document
