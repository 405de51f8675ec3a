"""Meridian requirement status <-> Cloud ALM status/subStatus: the defaults of
app/integrations/cloud_alm/mapping.py with the tenant's overrides (CloudALMStatusMapping) on top."""

from sqlalchemy import select

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.models import CloudALMStatusMapping


def current() -> dict:
    merged = dict(mapping.DEFAULT_STATUS_MAP)
    for row in db.session.execute(select(CloudALMStatusMapping)).scalars():
        if row.meridian_status in merged:
            merged[row.meridian_status] = (row.alm_status, row.alm_sub_status)
    return merged


def items() -> list[dict]:
    merged = current()
    return [
        {
            "meridian_status": status,
            "alm_status": pair[0],
            "alm_sub_status": pair[1],
            "is_default": pair == mapping.DEFAULT_STATUS_MAP[status],
        }
        for status, pair in merged.items()
    ]


def replace(new_items: list[dict]) -> list[dict]:
    """Rows equal to the default are not stored; a status left out keeps its current pair."""
    existing = {row.meridian_status: row for row in db.session.execute(select(CloudALMStatusMapping)).scalars()}
    for item in new_items:
        status, pair = item["meridian_status"], (item["alm_status"], item["alm_sub_status"])
        row = existing.get(status)
        if pair == mapping.DEFAULT_STATUS_MAP[status]:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(CloudALMStatusMapping(meridian_status=status, alm_status=pair[0], alm_sub_status=pair[1]))
        else:
            row.alm_status, row.alm_sub_status = pair
    db.session.commit()
    return items()
