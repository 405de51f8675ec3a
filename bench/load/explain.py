"""Where a read's time goes: every SQL statement one request runs (captured from the app's own engine while the
real request runs in-process, as `meridian_app` with row-level security), its time, and EXPLAIN (ANALYZE,
BUFFERS) of each, replayed with the same parameters and tenant settings in a transaction that is rolled back
(the sweep's UPDATEs are statements of every read too)."""

import time
from collections.abc import Callable
from contextlib import nullcontext


def capture(app, path: str, token: str, empty_store: Callable[[], None]) -> tuple[float, list[dict]]:
    """(request ms, statements) of one GET, after one warm-up request and `empty_store`: with the shared pages,
    tiles and row snapshots in Redis a warm read runs no SQL at all, so the statements shown are those of a read
    that finds nothing cached: the page or tiles rebuilt, as after a write, and the session check read from the
    database, as after its snapshot expired."""
    from sqlalchemy import event

    from app.extensions import db
    from app.utils import tenant_context

    with app.app_context():
        engine = db.engine
    statements: list[dict] = []

    def before(conn, _cursor, _statement, _parameters, _context, _executemany):
        conn.info["bench_began"] = time.perf_counter()

    def after(conn, _cursor, statement, parameters, _context, executemany):
        statements.append(
            {
                "sql": statement,
                "params": parameters,
                "executemany": executemany,
                "ms": (time.perf_counter() - conn.info.pop("bench_began", time.perf_counter())) * 1000,
                "tenant": tenant_context.current_tenant_id(),
                "unscoped": tenant_context.is_unscoped(),
            }
        )

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get(path, headers=headers)
    empty_store()
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    if response.status_code != 200:
        raise RuntimeError(f"in-process GET {path} answered {response.status_code}: {response.get_data()[:300]!r}")
    return elapsed, statements


def explain(app, statement: dict) -> str:
    from app.extensions import db
    from app.utils import tenant_context

    if statement["executemany"]:
        return "(executemany: not explained)"
    with (
        app.app_context(),
        tenant_context.tenant_scope(statement["tenant"]),
        tenant_context.unscoped() if statement["unscoped"] else nullcontext(),
    ):
        with db.engine.connect() as conn:
            transaction = conn.begin()
            try:
                rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement["sql"], statement["params"]).all()
            finally:
                transaction.rollback()
    return "\n".join(row[0] for row in rows)


def _first_line(sql: str) -> str:
    text = " ".join(sql.split())
    return text[:110] + ("…" if len(text) > 110 else "")


def markdown(
    app,
    cases: list[tuple[str, str, str, str]],
    baseline: dict[str, tuple[float, list[dict]]],
    empty_store: Callable[[], None],
) -> str:
    """`cases`: (read key, label, path at the large size, token); `baseline`: the same reads captured at the
    small size, shown as per-statement times beside the large ones."""
    out = []
    for key, label, path, token in cases:
        elapsed, statements = capture(app, path, token, empty_store)
        small_elapsed, small_statements = baseline.get(key, (None, []))
        out += [
            f"## {label}",
            "",
            f"`GET {path}`",
            "",
            f"In-process request (Flask test client, app role, warm process, Redis emptied first): "
            f"{elapsed:.1f} ms at the large size"
            + (f", {small_elapsed:.1f} ms at the small size." if small_elapsed is not None else "."),
            f"SQL statements: {len(statements)}, {sum(s['ms'] for s in statements):.1f} ms in the database driver.",
            "",
            "| # | ms (large) | ms (small) | statement |",
            "|---|---|---|---|",
        ]
        unmatched = list(small_statements)
        for index, statement in enumerate(statements, 1):
            twin = next((s for s in unmatched if s["sql"] == statement["sql"]), None)  # same statement, small size
            if twin is not None:
                unmatched.remove(twin)
            small_ms = f"{twin['ms']:.1f}" if twin else "-"
            out.append(f"| {index} | {statement['ms']:.1f} | {small_ms} | `{_first_line(statement['sql'])}` |")
        if unmatched:
            out.append(
                f"\nOnly at the small size: {len(unmatched)} statement(s), "
                f"{sum(s['ms'] for s in unmatched):.1f} ms ("
                + "; ".join(f"`{_first_line(s['sql'])}`" for s in unmatched)
                + ")."
            )
        out.append("")
        for index, statement in enumerate(statements, 1):
            out += [
                f"### {label}: statement {index} ({statement['ms']:.1f} ms)",
                "",
                "```sql",
                statement["sql"].strip(),
                "```",
                "",
                f"parameters: `{_params(statement['params'])}`",
                "",
                "```",
                explain(app, statement),
                "```",
                "",
            ]
    return "\n".join(out)


def _params(params) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={v!s}" for k, v in params.items())
    return str(params)
