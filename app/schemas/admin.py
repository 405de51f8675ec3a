"""Contracts of the Administration area: tenant profile, security settings, audit log (and its export),
the integration sync log and the outgoing-mail log."""

import re
from datetime import UTC
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from app.models.accounts import MAIL_STATUSES
from app.models.audit import ACTIONS
from app.models.run_status import ALL as RUN_STATUSES
from app.models.tenant import MFA_POLICIES, TIERS
from app.schemas.common import BaseSchema, CommaSeparated, PageArgs, one_of

SYNC_SOURCES = ("connection", "cloud_alm_project")
_TIMEZONES = frozenset(available_timezones()) | {"UTC"}
_HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM (24-hour).")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class TenantProfileSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    slug = fields.String(dump_only=True)
    tier = fields.String(dump_only=True, metadata={"enum": list(TIERS)})
    version = fields.Integer(dump_only=True)
    rate_limit_per_minute = fields.Integer(dump_only=True, metadata={"description": "The tier's request limit"})
    name = fields.String(validate=validate.Length(min=1, max=200))
    logo_initials = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9]{1,3}$", error="One to three letters or digits.")
    )
    default_timezone = fields.String(metadata={"description": "IANA name; the default of new projects"})
    working_days = fields.List(
        fields.Integer(validate=validate.Range(0, 6)),
        validate=validate.Length(min=1, max=7, error="Choose at least one working day."),
        metadata={"description": "0 = Monday ... 6 = Sunday; new projects' SLA support calendar"},
    )
    work_start = fields.String(validate=_HHMM)
    work_end = fields.String(validate=_HHMM)

    @validates("default_timezone")
    def _known_zone(self, value, **_kwargs):
        if value not in _TIMEZONES:
            raise ValidationError("Unknown time zone; use an IANA name such as Europe/Berlin.")

    @validates("working_days")
    def _distinct_days(self, value, **_kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("Each day once.")


class SecuritySettingsSchema(BaseSchema):
    version = fields.Integer(dump_only=True)
    session_absolute_minutes = fields.Integer(
        validate=validate.Range(60, 10080, error="Between 60 minutes and 7 days."),
        metadata={"description": "A session ends this long after sign-in, active or not"},
    )
    session_idle_minutes = fields.Integer(
        validate=validate.Range(5, 1440, error="Between 5 minutes and 24 hours."),
        metadata={"description": "A session ends after this long without a request"},
    )
    password_min_length = fields.Integer(validate=validate.Range(10, 64, error="Between 10 and 64."))
    password_min_score = fields.Integer(
        validate=validate.Range(2, 4, error="2 (fair), 3 (strong) or 4 (very strong)."),
        metadata={"description": "zxcvbn strength score a new password must reach"},
    )
    lockout_threshold = fields.Integer(
        validate=validate.Range(3, 20, error="Between 3 and 20."),
        metadata={"description": "Failed sign-ins before delays start"},
    )
    lockout_max_delay_minutes = fields.Integer(
        validate=validate.Range(1, 60, error="Between 1 and 60 minutes."),
        metadata={"description": "Longest delay between attempts after repeated failures"},
    )
    invitation_domains = fields.List(
        fields.String(validate=validate.Length(max=253)),
        validate=validate.Length(max=50),
        metadata={"description": "Invitations only to these e-mail domains; empty: any"},
    )
    mfa_required = fields.String(
        validate=validate.OneOf(MFA_POLICIES), metadata={"description": "Two-factor sign-in: off, admins, everyone"}
    )

    @validates("invitation_domains")
    def _domains(self, value, **_kwargs):
        bad = [d for d in value if not _DOMAIN.match(d.strip().lower())]
        if bad:
            raise ValidationError(f"Not a domain name: {', '.join(bad)}.")

    @validates_schema
    def _normalise(self, data, **_kwargs):
        if "invitation_domains" in data:
            data["invitation_domains"] = sorted({d.strip().lower() for d in data["invitation_domains"]})


def _aware(value):
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class _RangeRules:
    """since < until; a time without an offset is UTC."""

    @validates_schema
    def _ordered(self, data, **_kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and _aware(until) <= _aware(since):
            raise ValidationError("Must be after since.", "until")

    @post_load
    def _utc(self, data, **_kwargs):
        for key in ("since", "until"):
            if data.get(key) is not None:
                data[key] = _aware(data[key])
        return data


class DateRangeArgs(_RangeRules, PageArgs):
    since = fields.DateTime(metadata={"description": "From (inclusive), ISO 8601"})
    until = fields.DateTime(metadata={"description": "Until (exclusive), ISO 8601"})


class AuditLogArgs(DateRangeArgs):
    actor_id = fields.UUID(metadata={"description": "Who made the change"})
    entity_type = fields.String(validate=validate.Length(max=64), metadata={"description": "e.g. Project, User"})
    entity_id = fields.UUID()
    action = CommaSeparated(one_of(ACTIONS), metadata={"description": "created, updated, deleted, restored"})


class AuditChangeSchema(BaseSchema):
    property = fields.String()
    left = fields.Raw(allow_none=True)
    right = fields.Raw(allow_none=True)


class AuditEntrySchema(BaseSchema):
    id = fields.UUID()
    committed_at = fields.DateTime()
    author = fields.Dict(allow_none=True)
    entity_type = fields.String()
    entity_id = fields.UUID()
    version = fields.Integer()
    action = fields.String()
    changed_properties = fields.List(fields.String())
    changes = fields.List(fields.Nested(AuditChangeSchema))
    correlation_id = fields.String(allow_none=True)


class AuditExportSchema(_RangeRules, BaseSchema):
    format = fields.String(required=True, validate=validate.OneOf(("csv", "jsonl"), error="csv or jsonl."))
    actor_id = fields.UUID()
    entity_type = fields.String(validate=validate.Length(max=64))
    entity_id = fields.UUID()
    action = fields.List(one_of(ACTIONS))
    since = fields.DateTime()
    until = fields.DateTime()


class SyncLogArgs(DateRangeArgs):
    source = one_of(SYNC_SOURCES)
    status = CommaSeparated(one_of(RUN_STATUSES))
    operation = fields.String(validate=validate.Length(max=32))


class SyncLogEntrySchema(BaseSchema):
    id = fields.UUID()
    source = fields.String(metadata={"enum": list(SYNC_SOURCES)})
    at = fields.DateTime()
    system = fields.String()
    subject = fields.String()
    operation = fields.String()
    status = fields.String()
    triggered_by = fields.String(allow_none=True)
    records_pushed = fields.Integer(allow_none=True)
    records_pulled = fields.Integer(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class MailLogArgs(PageArgs):
    status = one_of(MAIL_STATUSES)
    kind = fields.String(validate=validate.Length(max=32))


class MailLogSchema(BaseSchema):
    id = fields.UUID()
    kind = fields.String()
    recipient = fields.String()
    subject = fields.String()
    status = fields.String(metadata={"enum": list(MAIL_STATUSES)})
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class OutboxHealthSchema(BaseSchema):
    """The tenant's domain events not delivered yet (issue 15.5): a number that grows says a subscriber (the
    webhook fan-out) is failing or the publisher is not running."""

    pending = fields.Integer(metadata={"description": "Events waiting to be published"})
    failing = fields.Integer(metadata={"description": "Of those, events whose delivery failed at least once"})
    oldest_pending_seconds = fields.Integer(metadata={"description": "Age of the oldest waiting event (0: none)"})
