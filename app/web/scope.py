"""The objects a URL names, loaded once per request as the signed-in user may see them. Every nested
route starts here, so another tenant's id (or, for a customer, a project they are not a member of)
answers 404 before any body is read."""

from flask import g

from app.services import project_service

STAFF_WHO_SEE_DELETED = ("admin", "pm", "consultant")


def project_for(project_id, include_deleted: bool = False):
    # The principal: visibility reads the role, the id and a token's scope, which need no ORM user.
    return project_service.get_project(g.principal, project_id, include_deleted=include_deleted)


def may_see_deleted(args: dict) -> bool:
    """`?include_deleted=1` counts for staff who edit delivery objects; for others it is ignored."""
    return bool(args.get("include_deleted")) and g.principal.role in STAFF_WHO_SEE_DELETED
