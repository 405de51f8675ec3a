"""Import every model so metadata (and Alembic) sees them all."""

from app.models import upstream_text
from app.models.accounts import ExportFile, Invitation, OutgoingMail, PasswordReset  # noqa: F401
from app.models.api_token import ApiToken  # noqa: F401
from app.models.attachments import Attachment, AttachmentSettings, DiscussionComment  # noqa: F401
from app.models.audit import AuditCommit, AuditSnapshot  # noqa: F401
from app.models.backlog import BacklogItem  # noqa: F401
from app.models.cloud_alm import CloudALMStatusMapping, CloudALMSyncLog  # noqa: F401
from app.models.cutover import (  # noqa: F401
    CutoverActivity,
    CutoverCheckItem,
    CutoverRun,
    CutoverRunActivity,
    CutoverRunbook,
)
from app.models.explore.requirement import ExploreRequirement  # noqa: F401
from app.models.hypercare import (  # noqa: F401
    HypercareCalendar,
    HypercareIncident,
    HypercareSLA,
    IncidentComment,
    PostGoliveChangeRequest,
)
from app.models.integrations import GatewayCallLog, IntegrationConnection, IntegrationSyncRun, WebhookEvent  # noqa: F401
from app.models.job import Job  # noqa: F401
from app.models.leads import D365PushJob, Lead  # noqa: F401
from app.models.marketplace import (  # noqa: F401
    MarketplacePackage,
    MarketplaceProduct,
    MarketplaceStore,
    MarketplaceSyncState,
    OrderFlowAlert,
    OrderFlowRule,
)
from app.models.notification import Notification  # noqa: F401
from app.models.outbox import OutboxMessage  # noqa: F401
from app.models.project import Project  # noqa: F401
from app.models.sequence import NumberSequence  # noqa: F401
from app.models.tenant import Tenant  # noqa: F401
from app.models.testing import Defect, TestCase, TestCaseRequirement, TestCycle, TestExecution  # noqa: F401
from app.models.triage import (  # noqa: F401
    IncidentLink,
    TriageIndexChunk,
    TriageIndexState,
    TriageOutcome,
)
from app.models.user import AuthSession, ProjectMember, User  # noqa: F401
from app.models.webhooks import WebhookDelivery, WebhookSubscription  # noqa: F401

upstream_text.install()
