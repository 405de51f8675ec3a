"""Invitations: an admin or PM invites someone by e-mail with a role (and projects); the invitee chooses
their own password through a single-use link that expires after INVITATION_VALID_DAYS. Pending
invitations can be resent (a new link; the old one stops working) or revoked. The tenant's allowed
e-mail domains, when set, limit who can be invited."""

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, select

from app.extensions import db
from app.models import Invitation, Project, ProjectMember, Tenant, User
from app.services import auth_service, link_tokens, mail_service, mail_templates, mfa_service, password_policy
from app.services.common import check_version
from app.services.pagination import paginate
from app.services.user_service import email_taken
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Conflict, ValidationFailed
from app.utils.like import icontains

ROLE_WORDS = {
    "admin": "an administrator",
    "pm": "a project manager",
    "consultant": "a consultant",
    "support": "support staff",
    "approver": "a change approver",
    "customer": "a customer key user",
    "viewer": "a viewer",
}


def list_invitations(
    limit: int, offset: int, status: str | None = None, q: str | None = None, include_deleted: bool = False
):
    now = utcnow()
    stmt = select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id)
    pending = and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    if status == "pending":
        stmt = stmt.where(pending, Invitation.expires_at > now)
    elif status == "expired":
        stmt = stmt.where(pending, Invitation.expires_at <= now)
    elif status == "accepted":
        stmt = stmt.where(Invitation.accepted_at.is_not(None))
    elif status == "revoked":
        stmt = stmt.where(Invitation.revoked_at.is_not(None), Invitation.accepted_at.is_(None))
    if q:
        stmt = stmt.where(icontains(Invitation.email, q.strip()))
    return paginate(stmt, limit, offset, include_deleted)


def inviters_of(invitations) -> dict:
    """Who sent each invitation, in one query for a whole page."""
    ids = {i.created_by for i in invitations if i.created_by}
    if not ids:
        return {}
    users = db.session.execute(select(User).where(User.id.in_(ids)), execution_options={"include_deleted": True})
    return {u.id: u for u in users.scalars()}


def domain_allowed(tenant: Tenant, email: str) -> bool:
    domains = [d.lower() for d in tenant.invitation_domains or []]
    return not domains or email.rsplit("@", 1)[-1].lower() in domains


def _check_invite(data: dict, inviter: User, tenant: Tenant) -> dict:
    errors = {}
    email = data["email"].strip().lower()
    if not domain_allowed(tenant, email):
        errors["email"] = [f"Invitations go only to these domains: {', '.join(tenant.invitation_domains)}."]
    elif email_taken(email):
        errors["email"] = ["This e-mail address already has an account."]
    if data["role"] == "admin" and inviter.role != "admin":
        errors["role"] = ["Only an administrator can invite administrators."]
    if data.get("support_level") and data["role"] != "support":
        errors["support_level"] = ["Only support staff have a support level."]
    project_ids = list(dict.fromkeys(data.get("project_ids") or []))
    if project_ids:
        found = set(db.session.execute(select(Project.id).where(Project.id.in_(project_ids))).scalars())
        unknown = [str(pid) for pid in project_ids if pid not in found]
        if unknown:
            errors["project_ids"] = [f"No such project in your organisation: {', '.join(unknown)}."]
    if errors:
        raise ValidationFailed("The invitation could not be sent.", errors=errors)
    pending = db.session.execute(
        select(Invitation.id).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    ).first()
    if pending:
        raise Conflict(
            "This address already has a pending invitation; resend it instead.", invitation_id=str(pending[0])
        )
    return {**data, "email": email, "project_ids": [str(pid) for pid in project_ids]}


def invite(data: dict, inviter: User, tenant: Tenant) -> Invitation:
    data = _check_invite(data, inviter, tenant)
    invitation = Invitation(
        email=data["email"],
        name=data.get("name"),
        role=data["role"],
        support_level=data.get("support_level"),
        project_ids=data["project_ids"],
        token_hash="pending",
        expires_at=utcnow(),
    )
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, inviter, tenant)
    return invitation


def _send(invitation: Invitation, inviter: User, tenant: Tenant) -> None:
    """A fresh link (voiding any earlier one) and a fresh expiry; the e-mail commits with them."""
    secret, token_hash = link_tokens.new_secret()
    days = current_app.config["INVITATION_VALID_DAYS"]
    invitation.token_hash = token_hash
    invitation.expires_at = utcnow() + timedelta(days=days)
    invitation.sent_count += 1
    invitation.last_sent_at = utcnow()
    url = mail_templates.link("accept-invitation", link_tokens.build(tenant.id, invitation.id, secret))
    mail = mail_templates.invitation(tenant.name, inviter.name, ROLE_WORDS[invitation.role], url, days)
    mail_service.send("invitation", invitation.email, mail.subject, mail.text, mail.html)


def resend(invitation: Invitation, inviter: User, tenant: Tenant, expected_version: int | None) -> Invitation:
    check_version(invitation, expected_version)
    status = invitation.status_at(utcnow())
    if status in ("accepted", "revoked"):
        raise Conflict(f"This invitation was {status}; invite the person again instead.")
    if email_taken(invitation.email):
        raise Conflict("This e-mail address has an account by now.")
    _send(invitation, inviter, tenant)
    return invitation


def revoke(invitation: Invitation, expected_version: int | None) -> None:
    """The link stops working; the invitation stays listed, marked revoked."""
    _revoke(invitation, expected_version)
    db.session.commit()


def delete(invitation: Invitation, expected_version: int | None) -> None:
    """Revoked as above, then hidden (soft delete): its resource answers 404 and only `include_deleted`
    lists it. An accepted invitation is the record of how its user joined, so it stays."""
    _revoke(invitation, expected_version)
    invitation.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def _revoke(invitation: Invitation, expected_version: int | None) -> None:
    check_version(invitation, expected_version)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was accepted already; deactivate the user instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


# -- the invitee's side (signed out) ------------------------------------------------------------------------


def _open(token: str) -> tuple[Invitation, Tenant]:
    """The pending invitation behind a link, inside its own tenant's scope."""
    tenant_id, invitation_id, secret = link_tokens.parse(token, "invitation")
    tenant_context.set_tenant(tenant_id)
    tenant = db.session.get(Tenant, tenant_id)
    invitation = db.session.execute(select(Invitation).where(Invitation.id == invitation_id)).scalar_one_or_none()
    if (
        tenant is None
        or not tenant.active
        or invitation is None
        or not link_tokens.matches(secret, invitation.token_hash)
    ):
        raise link_tokens.LinkInvalid("This invitation link is not valid. Ask for a new invitation.")
    status = invitation.status_at(utcnow())
    if status == "accepted":
        raise link_tokens.LinkUsed("This invitation was used already. Sign in with your e-mail and password.")
    if status == "revoked":
        raise link_tokens.LinkInvalid("This invitation was withdrawn. Ask for a new invitation.")
    if status == "expired":
        raise link_tokens.LinkExpired("This invitation has expired. Ask whoever invited you to send it again.")
    return invitation, tenant


def inspect(token: str) -> dict:
    invitation, tenant = _open(token)
    return {
        "email": invitation.email,
        "name": invitation.name,
        "role": invitation.role,
        "tenant": {"name": tenant.name},
        "expires_at": as_utc(invitation.expires_at),
        "password_min_length": tenant.password_min_length,
        "mfa_required": tenant.requires_mfa(invitation.role),
    }


def accept(token: str, name: str, password: str, address: str, user_agent: str | None) -> dict:
    """Create the account with the invited role and projects, and sign the new user in — or, when the
    tenant requires a second factor for the role, answer the challenge that sets it up first."""
    invitation, tenant = _open(token)
    if email_taken(invitation.email):
        raise link_tokens.LinkUsed("This e-mail address has an account already. Sign in instead.")
    password_policy.check(password, email=invitation.email, tenant=tenant, context=(name,))
    user_id = uuid.uuid4()
    tenant_context.set_tenant(tenant.id, user_id)  # the new user is the author of their own account
    user = User(
        id=user_id,
        email=invitation.email,
        name=name.strip(),
        role=invitation.role,
        support_level=invitation.support_level if invitation.role == "support" else None,
    )
    user.set_password(password)
    db.session.add(user)
    live_projects = set(
        db.session.execute(select(Project.id).where(Project.id.in_([uuid.UUID(p) for p in invitation.project_ids])))
        .scalars()
        .all()
    )
    for project_id in live_projects:
        db.session.add(ProjectMember(project_id=project_id, user_id=user_id, created_by=invitation.created_by))
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user_id
    db.session.commit()
    if tenant.requires_mfa(user.role):
        return {"mfa": mfa_service.challenge_for(user, tenant)}
    return auth_service.complete_login(user, tenant, address, user_agent)
