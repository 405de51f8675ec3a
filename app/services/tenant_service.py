"""Tenant onboarding (the tenant and its first admin, in one transaction) and the tenant's own profile and
security settings, edited in Administration."""

import re
import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import Tenant, User
from app.models.tenant import TIERS
from app.services import password_policy
from app.services.common import check_version
from app.utils import tenant_context
from app.utils.errors import ValidationFailed

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

PROFILE_FIELDS = ("name", "logo_initials", "default_timezone", "working_days", "work_start", "work_end")
SECURITY_FIELDS = (
    "session_absolute_minutes",
    "session_idle_minutes",
    "password_min_length",
    "password_min_score",
    "lockout_threshold",
    "lockout_max_delay_minutes",
    "invitation_domains",
    "mfa_required",
)


def create_tenant(
    name: str, slug: str, admin_email: str, admin_password: str, tier: str = "free", admin_name: str = "Administrator"
) -> tuple[Tenant, User]:
    errors = {}
    if not name.strip():
        errors["name"] = ["Required."]
    if not _SLUG.match(slug):
        errors["slug"] = ["Lowercase letters, digits and hyphens."]
    if tier not in TIERS:
        errors["tier"] = [f"One of {', '.join(TIERS)}."]
    reasons = password_policy.problems(
        admin_password,
        email=admin_email,
        min_length=password_policy.DEFAULT_MIN_LENGTH,
        min_score=password_policy.DEFAULT_MIN_SCORE,
        context=(name, slug, admin_name),
    )
    if reasons:
        errors["admin_password"] = reasons
    with tenant_context.unscoped():
        if db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
            errors["slug"] = ["Already taken."]
        if db.session.execute(select(User.id).where(User.email == admin_email.strip().lower())).first():
            errors["admin_email"] = ["Already in use."]
    if errors:
        raise ValidationFailed("The tenant could not be created.", errors=errors)
    tenant_id = uuid.uuid4()
    # Inside the new tenant's scope from the start: the tenant's own audit snapshot belongs to it.
    with tenant_context.tenant_scope(tenant_id):
        tenant = Tenant(id=tenant_id, name=name.strip(), slug=slug, tier=tier)
        db.session.add(tenant)
        db.session.flush()
        admin = User(tenant_id=tenant.id, email=admin_email.strip().lower(), name=admin_name, role="admin")
        admin.set_password(admin_password)
        db.session.add(admin)
        db.session.commit()
        db.session.refresh(admin)  # reload inside the tenant's scope: row-level security hides it outside
    return tenant, admin


def current() -> Tenant:
    return db.session.get(Tenant, tenant_context.require_tenant_id())


def _check_security(tenant: Tenant, data: dict) -> None:
    absolute = data.get("session_absolute_minutes", tenant.session_absolute_minutes)
    idle = data.get("session_idle_minutes", tenant.session_idle_minutes)
    if idle > absolute:
        raise ValidationFailed(
            "The idle timeout cannot be longer than the session lifetime.",
            errors={"session_idle_minutes": ["At most the session lifetime."]},
        )


def _check_profile(data: dict) -> None:
    if "work_start" in data or "work_end" in data:
        start, end = data.get("work_start"), data.get("work_end")
        if start is not None and end is not None and end <= start:
            raise ValidationFailed(
                "The working day must end after it starts.", errors={"work_end": ["After the start."]}
            )


def update_settings(tenant: Tenant, data: dict, expected_version: int | None, fields: tuple[str, ...]) -> Tenant:
    """Change the profile or the security settings (`fields` says which group the caller may touch)."""
    check_version(tenant, expected_version)
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationFailed("Unknown settings.", errors={name: ["Unknown field."] for name in sorted(unknown)})
    merged = {name: data.get(name, getattr(tenant, name)) for name in ("work_start", "work_end")}
    if "work_start" in data or "work_end" in data:
        _check_profile(merged)
    _check_security(tenant, data)
    for key, value in data.items():
        setattr(tenant, key, value)
    db.session.commit()
    return tenant
