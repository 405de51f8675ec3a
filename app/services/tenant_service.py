"""Tenant onboarding: the tenant and its first admin, in one transaction."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Tenant, User
from app.models.tenant import TIERS
from app.utils import tenant_context
from app.utils.errors import ValidationFailed

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


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
    if len(admin_password) < 10:
        errors["admin_password"] = ["At least 10 characters."]
    with tenant_context.unscoped():
        if db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
            errors["slug"] = ["Already taken."]
        if db.session.execute(select(User.id).where(User.email == admin_email.strip().lower())).first():
            errors["admin_email"] = ["Already in use."]
    if errors:
        raise ValidationFailed("The tenant could not be created.", errors=errors)
    tenant = Tenant(name=name.strip(), slug=slug, tier=tier)
    db.session.add(tenant)
    db.session.flush()
    with tenant_context.tenant_scope(tenant.id):
        admin = User(tenant_id=tenant.id, email=admin_email.strip().lower(), name=admin_name, role="admin")
        admin.set_password(admin_password)
        db.session.add(admin)
        db.session.commit()
        db.session.refresh(admin)  # reload inside the tenant's scope: row-level security hides it outside
    return tenant, admin
