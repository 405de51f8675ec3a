"""Who the request is, on `g` (issue 14).

`g.principal` and `g.principal_tenant` are the signed-in user and tenant as the authentication found them: for
the checks every request runs (role, tenant rate limit, project scope), which only read columns. When the session
check was answered from its snapshot they are `row_snapshots.Frozen` rows, not ORM objects.

`g.current_user`, `g.current_tenant` and `g.auth_session` are the ORM objects the handlers and services use
(relationships, writes, columns the snapshot leaves out). From a snapshot they are built the first time something
reads one of them, so a request answered from a shared page (a war-room poll, the project list) never builds them.
Built later in the request, an object the session already holds is kept as it is: the request may have written it.
"""

from flask import g
from flask.ctx import _AppCtxGlobals

from app.services.row_snapshots import Frozen

_ORM_IDENTITY = ("current_user", "current_tenant", "auth_session")
_PENDING = "_identity_to_thaw"


class RequestGlobals(_AppCtxGlobals):
    """Flask's `g`, building the deferred ORM identity on first read (`create_app` installs it)."""

    def __getattr__(self, name: str):  # only for names not set yet
        pending = self.__dict__.get(_PENDING)
        if pending is None or name not in _ORM_IDENTITY:
            return super().__getattr__(name)
        del self.__dict__[_PENDING]
        for key, row in zip(_ORM_IDENTITY, pending, strict=True):
            self.__dict__.setdefault(key, row.thaw(fill_present=False))
        return self.__dict__[name]

    def get(self, name: str, default=None):
        if name in _ORM_IDENTITY and _PENDING in self.__dict__:
            return getattr(self, name)
        return super().get(name, default)

    def __contains__(self, item: str) -> bool:
        return super().__contains__(item) or (item in _ORM_IDENTITY and _PENDING in self.__dict__)


def bind(user, tenant, auth_session) -> None:
    """The request's identity: ORM objects as they are, or Frozen rows from a snapshot to build on first use."""
    g.principal, g.principal_tenant = user, tenant
    if isinstance(user, Frozen):
        for name in _ORM_IDENTITY:  # `g` outlives a request where an app context was pushed around several (tests)
            g.__dict__.pop(name, None)
        g.__dict__[_PENDING] = (user, tenant, auth_session)
    else:
        g.__dict__.pop(_PENDING, None)
        g.current_user, g.current_tenant, g.auth_session = user, tenant, auth_session
