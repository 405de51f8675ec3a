"""Connection checkout without a round trip on PostgreSQL (issue 14).

`pool_pre_ping` sends a query at every checkout, i.e. one extra round trip per request. On PostgreSQL it is
replaced by a check of the idle connection's socket: a server that restarted, or an administrator who
terminated the backend, sends a final message and closes, so the socket turns readable while nobody is
waiting on it. Such a connection is dropped at checkout and the pool opens a fresh one (SQLAlchemy retries
on DisconnectionError), as pre_ping would. A peer that vanished without a word (network partition) is not
seen this way; that request fails once and the pool is invalidated, after which new connections are made.
SQLite keeps pre_ping (no socket, no round trip)."""

import select

from sqlalchemy import event, exc


def engine_options(app) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}


def install(engine) -> None:
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed or dbapi_connection.broken:
            raise exc.DisconnectionError("connection closed")
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        if readable:  # an idle connection has nothing to read unless the server said goodbye
            raise exc.DisconnectionError("the server closed the connection")
