"""PostgreSQL row-level security: the second line behind the ORM's tenant filter (docs/architecture.md).

Every tenant-owned table has a policy admitting only rows whose tenant_id equals the transaction's
`meridian.tenant_id` setting (or any row while `meridian.rls_bypass` is on, for the deliberate
cross-tenant reads of `tenant_context.unscoped()`). Superusers bypass RLS, so the app runs its statements
as a plain role (DATABASE_APP_ROLE, e.g. `meridian_app`, created by the migrations) with
`SET LOCAL ROLE`. Before each statement the current tenant context is applied to the transaction when it
differs from what was applied already, so a context that changes mid-transaction (login) is followed.

Schema work (migrations, test fixtures) marks its connection with the execution option
`meridian_owner=True` and runs as the owner, untouched.
"""

from sqlalchemy import event

from app.utils import tenant_context

_APPLIED = "meridian_rls_applied"


def install(engine, app_role: str) -> None:
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def _new_transaction(conn):
        conn.info.pop(_APPLIED, None)  # SET LOCAL settings die with every transaction

    @event.listens_for(engine, "rollback_savepoint")
    def _savepoint_rolled_back(conn, name, context):
        conn.info.pop(_APPLIED, None)  # settings applied inside the savepoint are gone

    @event.listens_for(engine, "before_cursor_execute")
    def _apply_tenant(conn, cursor, statement, parameters, context, executemany):
        if conn.get_execution_options().get("meridian_owner"):
            return
        tenant_id = tenant_context.current_tenant_id()
        wanted = (app_role, str(tenant_id) if tenant_id else "", "on" if tenant_context.is_unscoped() else "off")
        if conn.info.get(_APPLIED) == wanted:
            return
        cursor.execute(
            "SELECT set_config('meridian.tenant_id', %(tenant)s, true), "
            "set_config('meridian.rls_bypass', %(bypass)s, true)"
            + (", set_config('role', %(role)s, true)" if app_role else ""),
            {"tenant": wanted[1], "bypass": wanted[2], "role": app_role},
        )
        conn.info[_APPLIED] = wanted


def owner_connection(engine):
    """A connection for schema work (DDL, TRUNCATE in tests): the owner, no RLS settings."""
    connection = engine.connect()
    connection.execution_options(meridian_owner=True)
    return connection
