"""PostgreSQL row-level security: the second line behind the ORM's tenant filter (docs/architecture.md).

Every tenant-owned table has a policy admitting only rows whose tenant_id equals the transaction's
`meridian.tenant_id` setting. Superusers bypass RLS, so the app runs its statements as a plain role
(DATABASE_APP_ROLE, e.g. `meridian_app`, created by the migrations) with `SET LOCAL ROLE`. Before each
statement the current tenant context is applied to the transaction when it differs from what was applied
already, so a context that changes mid-transaction (login) is followed.

The deliberate cross-tenant work of `tenant_context.unscoped()` (login by e-mail, sweeps over every
tenant) switches to a second role instead, DATABASE_SYSTEM_ROLE (`meridian_system`, BYPASSRLS). Nothing the
app role can set widens the policy: a custom setting would not do, because any role may set one, so a
single injected `set_config(...)` would have turned RLS off. What still can switch roles is the login
user of the connection (`SET ROLE` is checked against it, not against the current role): production logs
in as a non-superuser that is a member of these two roles only (docs/decisions.md, issue 13.13).

Schema work (migrations, test fixtures) marks its connection with the execution option
`meridian_owner=True` and runs as the owner, untouched.
"""

from sqlalchemy import event

from app.utils import tenant_context

_APPLIED = "meridian_rls_applied"
_SAVEPOINT_CONTROL = ("SAVEPOINT ", "ROLLBACK TO SAVEPOINT ", "RELEASE SAVEPOINT ")


def install(engine, app_role: str, system_role: str) -> None:
    if engine.dialect.name != "postgresql":
        return
    if app_role and not system_role:
        # Unscoped work as the app role would see no rows at all: login would quietly find nobody.
        raise RuntimeError("DATABASE_SYSTEM_ROLE must be set when DATABASE_APP_ROLE is")

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
        if statement.startswith(_SAVEPOINT_CONTROL):
            # `rollback_savepoint` fires before ROLLBACK TO SAVEPOINT is sent, inside the aborted transaction,
            # where any other statement fails; the settings are applied again by the next real statement.
            return
        tenant_id = tenant_context.current_tenant_id()
        role = (system_role if tenant_context.is_unscoped() else app_role) if app_role else ""
        wanted = (role, str(tenant_id) if tenant_id else "")
        if conn.info.get(_APPLIED) == wanted:
            return
        cursor.execute(
            "SELECT set_config('meridian.tenant_id', %(tenant)s, true)"
            + (", set_config('role', %(role)s, true)" if role else ""),
            {"tenant": wanted[1], "role": role},
        )
        conn.info[_APPLIED] = wanted


def owner_connection(engine):
    """A connection for schema work (DDL, TRUNCATE in tests): the owner, no RLS settings."""
    connection = engine.connect()
    connection.execution_options(meridian_owner=True)
    return connection
