"""Dumping models to JSON with their schemas; shared by the blueprints."""

from flask import current_app

from app.permissions import permissions_for
from app.schemas.users import MeSchema, UserSchema
from app.services.pagination import page_total

_user = UserSchema()
_me = MeSchema()


def user_dict(user) -> dict:
    return _user.dump(user)


def me_dict(user, tenant) -> dict:
    data = _me.dump(user)
    data["tenant"] = {"id": str(tenant.id), "name": tenant.name, "slug": tenant.slug, "tier": tenant.tier}
    data["permissions"] = permissions_for(user.role)
    # Feature flags the SPA needs to hide what the API would refuse (D365_ENABLED: seed 003 §1.2).
    data["features"] = {"d365": bool(current_app.config.get("D365_ENABLED"))}
    return data


def page(items, total, schema) -> dict:
    return {"items": schema.dump(items, many=True), **page_total(total)}
