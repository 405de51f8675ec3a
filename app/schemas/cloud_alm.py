"""SAP Cloud ALM endpoints' bodies (seed 000 §5): the tenant configuration in the seed's field names, the
status mapping, pushes and conflict resolution."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.explore.requirement import STATUSES as REQUIREMENT_STATUSES
from app.schemas.common import BaseSchema, QueryArgs
from app.services.cloud_alm.conflicts import KEEP_CHOICES


class CloudALMConfigInSchema(BaseSchema):
    alm_url = fields.Url(required=True, validate=validate.Length(max=500))
    token_url = fields.Url(required=True, validate=validate.Length(max=500))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=2000))
    sync_requirements = fields.Boolean(load_default=True)
    sync_test_results = fields.Boolean(load_default=False)


class CloudALMConfigSchema(BaseSchema):
    id = fields.String()
    tenant_id = fields.String()
    alm_url = fields.String()
    token_url = fields.String()
    client_id = fields.String()
    sync_requirements = fields.Boolean()
    sync_test_results = fields.Boolean()
    is_active = fields.Boolean()
    last_test_at = fields.String(allow_none=True)
    last_test_status = fields.String(allow_none=True)
    secret_set = fields.Boolean()
    version = fields.Integer()


class PushRequirementsSchema(BaseSchema):
    requirement_ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(max=5000))


class StatusMappingItemSchema(BaseSchema):
    meridian_status = fields.String(required=True, validate=validate.OneOf(REQUIREMENT_STATUSES))
    alm_status = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,40}$"))
    alm_sub_status = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,60}$"))


class StatusMappingSchema(BaseSchema):
    items = fields.List(
        fields.Nested(StatusMappingItemSchema), required=True, validate=validate.Length(max=len(REQUIREMENT_STATUSES))
    )

    @validates_schema
    def _each_status_once(self, data, **_kwargs):
        """Two rows for one status would be two overrides of it (the table keeps one per tenant)."""
        first_at, errors = {}, {}
        for index, item in enumerate(data.get("items", [])):
            status = item["meridian_status"]
            if status in first_at:
                errors[str(index)] = {"meridian_status": [f"{status} repeats item {first_at[status]}."]}
            first_at.setdefault(status, index)
        if errors:
            raise ValidationError({"items": errors})


class ResolveConflictSchema(BaseSchema):
    keep = fields.String(required=True, validate=validate.OneOf(KEEP_CHOICES))


class ProjectMappingSchema(BaseSchema):
    """The Cloud ALM project (and scope) of a Meridian project, ids from the pickers; null clears."""

    cloud_alm_project_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=100))
    cloud_alm_scope_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class ProjectMappingOutSchema(BaseSchema):
    project_id = fields.String()
    cloud_alm_project_id = fields.String(allow_none=True)
    cloud_alm_scope_id = fields.String(allow_none=True)
    version = fields.Integer()


class AlmScopeArgs(QueryArgs):
    project_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CloudALMConfigReplaceSchema(CloudALMConfigInSchema):
    """PUT: the whole configuration; only the secret may be left out (it is never shown, so it is kept)."""

    client_secret = fields.String(load_only=True, validate=validate.Length(min=1, max=2000))


# -- answers --------------------------------------------------------------------------------------------


class ConnectionTestResultSchema(BaseSchema):
    ok = fields.Boolean()
    error = fields.String(allow_none=True)


class AlmProjectSchema(BaseSchema):
    id = fields.String()
    name = fields.String()
    status = fields.String(allow_none=True)


class AlmScopeSchema(BaseSchema):
    id = fields.String()
    name = fields.String()


class StatusMappingRowSchema(BaseSchema):
    meridian_status = fields.String()
    alm_status = fields.String()
    alm_sub_status = fields.String()
    is_default = fields.Boolean()


class CloudALMSyncLogEntrySchema(BaseSchema):
    id = fields.UUID()
    operation = fields.String()
    status = fields.String()
    http_status_code = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    records_pushed = fields.Integer(allow_none=True)
    records_pulled = fields.Integer(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    triggered_by = fields.String(allow_none=True)
    details = fields.List(fields.Dict(), metadata={"description": "One record per requirement or case touched"})
    created_at = fields.String(metadata={"format": "date-time"})  # ISO text from the service


class CloudALMSyncLogSchema(BaseSchema):
    connection_active = fields.Boolean()
    message = fields.String()
    cloud_alm_project_id = fields.String(allow_none=True)
    logs = fields.List(fields.Nested(CloudALMSyncLogEntrySchema))


class _RequirementFieldsSchema(BaseSchema):
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    priority = fields.String(allow_none=True)


class ConflictVersionsSchema(BaseSchema):
    requirement_id = fields.UUID()
    code = fields.String()
    alm_sync_status = fields.String()
    meridian = fields.Nested(_RequirementFieldsSchema)
    cloud_alm = fields.Nested(_RequirementFieldsSchema, metadata={"description": "The live task in Cloud ALM"})


class ConflictResolvedSchema(BaseSchema):
    requirement_id = fields.UUID(attribute="id")
    alm_sync_status = fields.String()
    version = fields.Integer()
