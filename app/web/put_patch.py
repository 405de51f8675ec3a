"""PUT replaces and PATCH changes some fields (issue 15.1): one view body, registered twice. PUT loads the
body whole (required fields required, absent optional ones take their defaults); PATCH loads it partially
and is documented with `patch_of(body)`, the same schema with nothing required."""

from app.schemas.partial import patch_of
from app.web.auth import requires
from app.web.openapi import doc


def put_and_patch(bp, rule: str, name: str, permission: str, summary: str, body, response, tags=None):
    """Register `view(partial, **path_args)` as `replace_<name>` (PUT) and `update_<name>` (PATCH)."""

    def decorator(view):
        def replace(**kwargs):
            return view(False, **kwargs)

        def change(**kwargs):
            return view(True, **kwargs)

        for method, endpoint, func, schema, text in (
            ("PUT", f"replace_{name}", replace, body, f"{summary} (PUT replaces: send every required field)"),
            ("PATCH", f"update_{name}", change, patch_of(body), f"{summary} (PATCH: only the fields sent change)"),
        ):
            func.__name__ = func.__qualname__ = endpoint
            func.__doc__ = view.__doc__
            documented = doc(text, body=schema, response=response, tags=tags)(func)
            bp.add_url_rule(rule, endpoint=endpoint, view_func=requires(permission)(documented), methods=[method])
        return view

    return decorator
