"""The job resource as every endpoint answers it: the 202 of a long operation and GET /api/v1/jobs/<id>."""

from flask import url_for
from marshmallow import fields

from app.models.job import JOB_STATUSES
from app.schemas.common import BaseSchema


class JobProgressSchema(BaseSchema):
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class JobSchema(BaseSchema):
    id = fields.UUID(required=True)
    job_id = fields.Function(
        lambda job: str(job.id),
        required=True,
        metadata={"type": "string", "format": "uuid", "description": "Same as id"},
    )
    kind = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(JOB_STATUSES)})
    progress = fields.Nested(JobProgressSchema, required=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    status_url = fields.Function(
        lambda job: url_for("jobs.get_job", job_id=job.id),
        required=True,
        metadata={"type": "string", "description": "Poll this URL for progress"},
    )
