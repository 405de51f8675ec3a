"""Invitations (admins and project managers): invite by e-mail with a role and projects, resend, revoke,
delete."""

from flask import Blueprint, g, jsonify

from app.models import Invitation
from app.schemas.accounts import InvitationListArgs, InvitationSchema
from app.services import invitation_service
from app.services.pagination import page_total
from app.utils.clock import utcnow
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("invitations", __name__, url_prefix="/api/v1/invitations")
_schema = InvitationSchema()


def _dump(invitation: Invitation, inviters: dict | None = None) -> dict:
    body = _schema.dump(invitation)
    body["status"] = invitation.status_at(utcnow())
    inviter = (inviters or {}).get(invitation.created_by)
    body["invited_by"] = {"id": str(inviter.id), "name": inviter.name} if inviter else None
    return body


def _inviters(invitations) -> dict:
    return invitation_service.inviters_of(invitations)


@bp.get("")
@requires("invitations.manage")
@doc("Invitations, newest first (filter by status)", args=InvitationListArgs, response=InvitationSchema, many=True)
def list_invitations():
    args = load_args(InvitationListArgs)
    items, total = invitation_service.list_invitations(
        args["limit"], args["offset"], args.get("status"), args.get("q"), args["include_deleted"]
    )
    inviters = _inviters(items)
    return jsonify({"items": [_dump(i, inviters) for i in items], **page_total(total)})


@bp.post("")
@requires("invitations.manage")
@doc("Invite someone by e-mail (mails a single-use link)", body=InvitationSchema, response=InvitationSchema, status=201)
def invite():
    invitation = invitation_service.invite(load_body(InvitationSchema()), g.current_user, g.current_tenant)
    return etagged(_dump(invitation, {g.current_user.id: g.current_user}), invitation.version, 201)


@bp.get("/<uuid:invitation_id>")
@requires("invitations.manage")
@doc("One invitation", response=InvitationSchema)
def get_invitation(invitation_id):
    invitation = Invitation.get_scoped_or_404(invitation_id)
    return etagged(_dump(invitation, _inviters([invitation])), invitation.version)


@bp.post("/<uuid:invitation_id>/resend")
@requires("invitations.manage")
@doc("Send the invitation again with a new link (the old link stops working)", response=InvitationSchema)
def resend(invitation_id):
    invitation = Invitation.get_scoped_or_404(invitation_id)
    invitation = invitation_service.resend(invitation, g.current_user, g.current_tenant, if_match_version())
    return etagged(_dump(invitation, _inviters([invitation])), invitation.version)


@bp.post("/<uuid:invitation_id>/revoke")
@requires("invitations.manage")
@doc("Revoke a pending invitation: its link stops working; it stays listed, marked revoked", response=InvitationSchema)
def revoke(invitation_id):
    invitation = Invitation.get_scoped_or_404(invitation_id)
    invitation_service.revoke(invitation, if_match_version())
    return etagged(_dump(invitation, _inviters([invitation])), invitation.version)


@bp.delete("/<uuid:invitation_id>")
@requires("invitations.manage")
@doc("Delete an invitation: revoked if pending, then gone from the API (404)", status=204)
def delete_invitation(invitation_id):
    invitation_service.delete(Invitation.get_scoped_or_404(invitation_id), if_match_version())
    return "", 204
