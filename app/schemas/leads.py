from marshmallow import fields, pre_load, validate

from app.models.leads import LEAD_STATUSES, SEGMENTS, SYNC_STATUSES
from app.schemas.common import BaseSchema, OwnedFields, PageArgs, one_of
from app.services import lead_service


def _email_or_empty(value: str) -> None:
    if value:
        validate.Email(error="A valid e-mail address.")(value)


DOMAIN = r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class LeadD365Schema(BaseSchema):
    """A lead's Dynamics 365 sync state, as the leads list shows it."""

    status = fields.String(validate=validate.OneOf(SYNC_STATUSES + ("not_synced",)))
    label = fields.String()
    lead_id = fields.String(allow_none=True)
    last_synced_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "What went wrong, as the caller may read it"})
    url = fields.String(allow_none=True, metadata={"description": "The record in Dynamics 365"})


class LeadSchema(OwnedFields):
    domain = fields.String(required=True, validate=validate.Regexp(DOMAIN, error="A domain such as example.com."))
    company_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_name = fields.String(load_default="", validate=validate.Length(max=200))
    contact_email = fields.String(load_default="", validate=_email_or_empty)
    segment = fields.String(load_default="mid_market", validate=validate.OneOf(SEGMENTS))
    readiness_score = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    priority_score = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    provider = fields.String(load_default="", validate=validate.Length(max=100))
    tenant_size = fields.String(load_default="", validate=validate.Length(max=20))
    infrastructure_summary = fields.String(load_default="", validate=validate.Length(max=2000))
    is_partner_center_referral = fields.Boolean(load_default=False)
    referral_id = fields.String(allow_none=True, validate=validate.Length(max=100))
    owner_id = fields.UUID(allow_none=True)
    status = fields.String(load_default="new", validate=validate.OneOf(LEAD_STATUSES))
    d365_lead_id = fields.String(dump_only=True, allow_none=True)
    d365_sync_status = fields.String(dump_only=True, allow_none=True)
    d365_sync_last_at = fields.DateTime(dump_only=True, allow_none=True)
    d365_sync_error = fields.String(dump_only=True, allow_none=True)
    d365 = fields.Nested(LeadD365Schema, dump_only=True)  # filled by the blueprint (needs the org URL)

    @pre_load
    def _normalise_domain(self, data, **_kwargs):
        """'https://www.Contoso.com/' and 'contoso.com' are the same company."""
        if isinstance(data, dict) and isinstance(data.get("domain"), str):
            value = data["domain"].strip().lower()
            for scheme in ("https://", "http://"):
                value = value[len(scheme) :] if value.startswith(scheme) else value
            value = value.split("/")[0]
            data = {**data, "domain": value[4:] if value.startswith("www.") else value}
        return data


class LeadListArgs(PageArgs):
    status = one_of(LEAD_STATUSES)
    segment = one_of(SEGMENTS)
    d365_status = one_of(SYNC_STATUSES + ("not_synced",))
    q = fields.String(validate=validate.Length(max=200))
    sort = one_of(lead_service.SORTS, load_default="-priority_score")
