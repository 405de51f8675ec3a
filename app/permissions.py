"""Who may do what: the one permission map (docs/architecture.md "Roles"). The UI reads the same list
from /api/v1/auth/me and hides what the API would refuse; app/web/auth.py `requires` enforces it."""

STAFF = ("admin", "pm", "consultant", "support", "approver", "viewer")
EVERYONE = STAFF + ("customer",)

PERMISSIONS: dict[str, tuple[str, ...]] = {
    "tenant.read": EVERYONE,
    "users.read": STAFF,
    "users.manage": ("admin",),
    "tenant.manage": ("admin",),  # Administration: profile, security settings, audit log, sync log, mail log
    "invitations.manage": ("admin", "pm"),
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
    # Issue 17: the attachment policy is the tenant admin's; every signed-in role but viewer joins discussions
    # (customers see only public comments). Attachments follow the permissions of the item they hang on.
    "attachments.settings.manage": ("admin",),
    "discussions.write": ("admin", "pm", "consultant", "support", "approver", "customer"),
    # Cutover runbooks (issue 18): the customer's key users own business activities of the weekend.
    "cutover.read": EVERYONE,
    "cutover.manage": ("admin", "pm", "consultant"),  # plan, import, start and close runs, adopt durations
    "cutover.execute": ("admin", "pm", "consultant", "support", "approver", "customer"),  # owners act
    "cutover.decide": ("admin", "approver"),  # go/no-go, never on a runbook of one's own
}


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def permissions_for(role: str) -> list[str]:
    return sorted(name for name, roles in PERMISSIONS.items() if role in roles)
