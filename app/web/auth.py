"""Authentication on every request: flask-jwt-extended's callbacks (token checks answered as
problem+json) and `requires`, the decorator every tenant endpoint wears."""

from functools import wraps

from flask import g, request
from flask_jwt_extended import verify_jwt_in_request

from app.models.api_token import TOKEN_PREFIX
from app.permissions import PERMISSIONS, can
from app.services import api_token_service, auth_service, project_cache, row_snapshots
from app.utils.errors import Forbidden, Unauthorized, problem_response
from app.web.identity import bind as bind_identity
from app.web.rate_limit import enforce_tenant_rate_limit, enforce_token_rate_limit


def presented_api_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials.startswith(TOKEN_PREFIX):
        return credentials
    return None


def _authenticate() -> None:
    """An API token (`Bearer mrd_…`, issue 15.4) or a session JWT (Bearer or cookie + CSRF). A token is not
    cookie auth, so it needs no CSRF header."""
    presented = presented_api_token()
    if presented is None:
        verify_jwt_in_request()
        g.api_token = None
        return
    identity = api_token_service.authenticate(presented)
    if identity is None:
        raise Unauthorized("The API token is unknown, revoked or expired.")
    user, tenant, g.api_token = identity
    bind_identity(user, tenant, None)


# Routes outside /projects/<project_id>/… that a project-scoped API token may still use: they show nothing
# of a project the token does not reach (the project list is filtered by scope, a job is the token's own).
_OUTSIDE_PROJECTS_FOR_SCOPED_TOKENS = frozenset({"projects.list_projects", "auth.me", "system.tenant", "jobs.get_job"})


def _check_token_project_scope(user) -> None:
    """A token limited to some projects reaches project routes (where `project_for` applies the scope) and
    the few above; every other route is refused, so a tenant-wide route added later (an audit history by
    entity id, an attachment by id) cannot leak another project's data through a scoped token."""
    if user.token_project_ids is None:
        return
    if "project_id" in (request.view_args or {}) or request.endpoint in _OUTSIDE_PROJECTS_FOR_SCOPED_TOKENS:
        return
    raise Forbidden("This API token is limited to some projects; this endpoint is not about one project.")


def _keys_ahead(view_keys):
    """The snapshot keys the session check reads along (row_snapshots.read_ahead): the project a nested route names,
    and what the view declares (`view_keys(tenant_id)`)."""
    project_id = (request.view_args or {}).get("project_id")
    if project_id is None and view_keys is None:
        return None

    def keys_for(tenant_id):
        named = project_cache.snapshot_keys(tenant_id, project_id) if project_id is not None else ()
        return (*named, *(view_keys(tenant_id) if view_keys is not None else ()))

    return keys_for


def requires(permission: str | None = None, people_only: bool = False, read_ahead=None):
    """Authenticate, bind the tenant context, apply the rate limits (the tenant's, and an API token's
    own), then check the permission. `people_only`: an endpoint about a person's own account or one
    that mints credentials, which an API token may not use whatever its role. `read_ahead(tenant_id)`: store keys
    the view will read, fetched with the session check's (app/services/row_snapshots.py)."""
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            row_snapshots.read_ahead(_keys_ahead(read_ahead))
            _authenticate()
            user = g.principal  # the checks read columns only: no ORM object is built for them (app/web/identity.py)
            g.current_role = user.role  # read after the view's commit has expired `user` (app/web/upstream.py)
            enforce_tenant_rate_limit(g.principal_tenant)
            if g.api_token is not None:
                enforce_token_rate_limit(g.api_token)
                if people_only:
                    raise Forbidden("API tokens cannot use this endpoint; sign in as a person.")
                _check_token_project_scope(user)
            if permission is not None and not can(user.role, permission):
                raise Forbidden("Your role does not allow this action.")
            return view(*args, **kwargs)

        wrapper._permission = permission
        wrapper._authenticated = True
        return wrapper

    return decorator


def register_jwt_callbacks(jwt) -> None:
    @jwt.token_in_blocklist_loader
    def _is_revoked(_jwt_header, jwt_payload) -> bool:
        identity = auth_service.check_token(jwt_payload)
        if identity is None:
            return True
        bind_identity(*identity)
        return False

    @jwt.user_lookup_loader
    def _current_user(_jwt_header, _jwt_payload):
        # Nothing reads flask-jwt-extended's `current_user` (handlers use g.current_user); asking for the ORM user
        # here would build it on every request. The principal is enough to tell "found" from "gone".
        return g.get("principal")

    def _unauthorized(detail):
        return problem_response(401, "Unauthorized", detail, "unauthorized")

    def _missing_or_bad(reason: str):
        if "CSRF" in reason:  # cookie auth without the double-submit header, or a wrong one
            return problem_response(
                403,
                "CSRF Check Failed",
                "Send the csrf_access_token cookie's value in the X-CSRF-TOKEN header.",
                "csrf-failed",
            )
        return _unauthorized("Sign in first." if "Missing" in reason else "The token is invalid.")

    jwt.unauthorized_loader(_missing_or_bad)
    jwt.invalid_token_loader(_missing_or_bad)
    jwt.expired_token_loader(lambda _h, _p: _unauthorized("The token has expired; refresh or sign in again."))
    jwt.revoked_token_loader(lambda _h, _p: _unauthorized("This session has ended; sign in again."))
    jwt.needs_fresh_token_loader(lambda _h, _p: _unauthorized("Sign in again to do this."))
    jwt.user_lookup_error_loader(lambda _h, _p: _unauthorized("This account is no longer available."))
