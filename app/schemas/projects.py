import re
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, pre_load, validate

from app.models.project import PHASES
from app.schemas.common import OwnedFields, SearchPageArgs, one_of

_TIMEZONES = frozenset(available_timezones()) | {"UTC"}


def _valid_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError("Unknown time zone; use an IANA name such as Europe/Istanbul.")


class ProjectSchema(OwnedFields):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9_-]{1,31}$", error="2-32 characters: letters, digits, '-' or '_'."),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_name = fields.String(load_default="", validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    phase = fields.String(load_default="explore", validate=validate.OneOf(PHASES))
    go_live_date = fields.Date(allow_none=True)
    hypercare_start = fields.Date(allow_none=True)
    hypercare_end = fields.Date(allow_none=True)
    timezone = fields.String(
        validate=_valid_timezone, metadata={"description": "IANA name; defaults to the tenant's default time zone"}
    )
    cloud_alm_project_id = fields.String(allow_none=True, validate=validate.Length(max=100))

    @pre_load
    def _normalise_code(self, data, **_kwargs):
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            data = {**data, "code": re.sub(r"\s+", "", data["code"]).upper()}
        return data


class ProjectListArgs(SearchPageArgs):
    phase = one_of(PHASES)
