"""Who may do what: the one permission map (DESIGN.md "Roles"). The UI reads the same list from
/api/v1/auth/me and hides what the API would refuse."""
from functools import wraps

from flask import g
from flask_jwt_extended import verify_jwt_in_request

from app.utils.errors import Forbidden

STAFF = ("admin", "pm", "consultant", "support", "approver", "viewer")
EVERYONE = STAFF + ("customer",)

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "tenant.read": EVERYONE,
    "users.read": STAFF,
    "users.manage": ("admin",),
    "projects.read": EVERYONE,
    "projects.manage": ("admin", "pm"),
    "projects.members.manage": ("admin", "pm"),
    "projects.export": ("admin", "pm"),
    "audit.read": STAFF,
    "jobs.read": EVERYONE,
    # Run / hypercare (seed 002): customers report, comment publicly and rate; staff work the queue.
    "hypercare.read": EVERYONE,
    "hypercare.report": ("admin", "pm", "consultant", "support", "customer"),
    "hypercare.work": ("admin", "pm", "consultant", "support"),
    "hypercare.sla.manage": ("admin", "pm"),
    "changes.read": EVERYONE,
    "changes.request": ("admin", "pm", "consultant", "support"),
    "changes.approve": ("admin", "approver"),
    "notifications.read": EVERYONE,
    "integrations.read": STAFF,
    "integrations.manage": ("admin",),
    "integrations.call_log.read": ("admin",),
    # Delivery: customers' key users review requirements and run UAT, so they read and execute.
    "delivery.read": EVERYONE,
    "delivery.manage": ("admin", "pm", "consultant"),
    "testing.execute": ("admin", "pm", "consultant", "customer"),
    "leads.read": ("admin", "pm", "consultant"),  # the SI firm's pre-sales pipeline: not for customers
    "leads.manage": ("admin", "pm"),
    "leads.push": ("admin", "pm"),  # push to Dynamics 365
}


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def permissions_for(role: str) -> list[str]:
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)


def requires(permission: str | None = None):
    """Authenticate (Bearer or cookie + CSRF), bind the tenant context, apply the tenant's rate limit,
    then check the permission. Every tenant endpoint goes through this."""
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from app.services.rate_limit import enforce_tenant_rate_limit

            verify_jwt_in_request()
            user = g.current_user
            enforce_tenant_rate_limit(g.current_tenant)
            if permission is not None and not can(user.role, permission):
                raise Forbidden("Your role does not allow this action.")
            return view(*args, **kwargs)

        wrapper._permission = permission
        wrapper._authenticated = True
        return wrapper

    return decorator
