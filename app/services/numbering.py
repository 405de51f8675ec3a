"""Human-readable numbers per scope: REQ-0001 per project, INC-0001 per project, CR-001 per project...

`next_number(scope)` takes the next value inside the caller's transaction: the row is created if missing
(INSERT ... ON CONFLICT DO NOTHING) and bumped with UPDATE ... RETURNING, which holds the row lock until
the caller commits. Two concurrent creators get distinct numbers; a rollback gives the number back, so
sequences stay gap-free.
"""

import uuid

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.sequence import NumberSequence
from app.utils import tenant_context


def next_number(scope: str) -> int:
    tenant_id = tenant_context.require_tenant_id()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(NumberSequence.__table__)
        .values(id=uuid.uuid4(), tenant_id=tenant_id, scope=scope, last_value=0)
        .on_conflict_do_nothing(index_elements=["tenant_id", "scope"])
    )
    return db.session.execute(
        update(NumberSequence)
        .where(NumberSequence.scope == scope)
        .values(last_value=NumberSequence.last_value + 1)
        .returning(NumberSequence.last_value)
    ).scalar_one()


def formatted(prefix: str, scope: str, width: int = 4) -> str:
    """formatted("REQ", f"project:{project_id}:requirement") -> "REQ-0001"."""
    return f"{prefix}-{next_number(scope):0{width}d}"
