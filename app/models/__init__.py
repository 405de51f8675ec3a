"""Import every model so metadata (and Alembic) sees them all."""
from app.models.tenant import Tenant  # noqa: F401
from app.models.user import AuthSession, ProjectMember, User  # noqa: F401
from app.models.project import Project  # noqa: F401
from app.models.audit import AuditCommit, AuditSnapshot  # noqa: F401
from app.models.job import Job  # noqa: F401
from app.models.sequence import NumberSequence  # noqa: F401
from app.models.cutover import (HypercareCalendar, HypercareIncident, HypercareSLA, IncidentComment,  # noqa: F401
                                PostGoliveChangeRequest)
from app.models.notification import Notification  # noqa: F401
