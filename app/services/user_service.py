"""Users of the current tenant (admin-managed).

A password change, a role change, deactivation and delete end every session of the user in the same
transaction; reactivation and restore do not bring old sessions back (they stay revoked)."""

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Tenant, User
from app.services import auth_service, mfa_service, password_policy
from app.services.common import check_version
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.errors import Conflict, ValidationFailed
from app.utils.like import icontains


def list_users(
    limit: int,
    offset: int,
    role: str | None = None,
    q: str | None = None,
    include_deleted: bool = False,
    kind: str | None = None,
) -> tuple[list[User], int]:
    stmt = select(User).order_by(User.name, User.id)
    if kind:
        stmt = stmt.where(User.kind == kind)
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where(or_(icontains(User.email, q), icontains(User.name, q)))
    return paginate(stmt, limit, offset, include_deleted)


def email_taken(email: str, exclude_id=None) -> bool:
    # E-mail is the login name, unique across all tenants.
    with tenant_context.unscoped():
        stmt = select(User.id).where(User.email == email)
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        return db.session.execute(stmt, execution_options={"include_deleted": True}).first() is not None


def current_tenant() -> Tenant:
    return db.session.get(Tenant, tenant_context.require_tenant_id())


def create_user(data: dict) -> User:
    email = data["email"].strip().lower()
    if email_taken(email):
        raise ValidationFailed("The user could not be created.", errors={"email": ["Already in use."]})
    password_policy.check(data["password"], email=email, tenant=current_tenant(), context=(data["name"],))
    user = User(
        email=email,
        name=data["name"],
        role=data["role"],
        support_level=data.get("support_level"),
        active=data.get("active", True),
    )
    user.set_password(data["password"])
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user: User, data: dict, expected_version: int | None) -> User:
    check_version(user, expected_version)
    if user.id == tenant_context.current_actor_id() and (
        data.get("active") is False or data.get("role", user.role) != user.role
    ):
        raise ValidationFailed(
            "You cannot deactivate yourself or change your own role.",
            errors={"role" if "role" in data else "active": ["Not for your own account."]},
        )
    if data.get("support_level") and data.get("role", user.role) != "support":
        raise ValidationFailed(
            "Only support staff have a support level.",
            errors={"support_level": ["Only support staff have a support level."]},
        )
    password = data.pop("password", None)
    if password and user.is_service:
        raise ValidationFailed(
            "An API token's service user has no password.", errors={"password": ["Not for a service user."]}
        )
    if password:
        password_policy.check(password, email=user.email, tenant=current_tenant(), context=(user.name,))
    ends_sessions = bool(password) or data.get("role", user.role) != user.role or data.get("active") is False
    for key, value in data.items():
        setattr(user, key, value)
    if user.role != "support":
        user.support_level = None
    if password:
        user.set_password(password)
    if ends_sessions:
        auth_service.end_sessions(user.id)
    db.session.commit()
    return user


def _not_a_service_user(user: User) -> None:
    """An API token's service user lives and dies with its token: deleted here, the token would point at a
    user no query finds (the token list answered 500, schemathesis, issue 15.2)."""
    if user.is_service:
        raise Conflict("This is an API token's service user; revoke the token under Administration › API and events.")


def delete_user(user: User, expected_version: int | None) -> None:
    check_version(user, expected_version)
    _not_a_service_user(user)
    if user.id == tenant_context.current_actor_id():
        raise ValidationFailed("You cannot delete yourself.", errors={"id": ["Not for your own account."]})
    user.soft_delete(tenant_context.current_actor_id())
    user.active = False
    auth_service.end_sessions(user.id)
    db.session.commit()


def reset_second_factor(user: User) -> User:
    """An admin switches a user's second factor off (a lost phone). Audited (`totp_enabled_at` changes),
    and the user's sessions end: the reset may be answering a compromise."""
    if not (user.mfa_enabled or user.totp_pending_secret):
        raise Conflict("This user has no second factor to reset.")
    mfa_service.clear(user)
    auth_service.end_sessions(user.id)
    db.session.commit()
    return user


def end_all_sessions(user: User) -> int:
    """An admin signs a user out everywhere."""
    count = auth_service.end_sessions(user.id)
    db.session.commit()
    return count


def restore_user(user: User) -> User:
    _not_a_service_user(user)
    if not user.is_deleted:
        raise Conflict("The user is not deleted.")
    user.restore()
    user.active = True
    db.session.commit()
    return user
