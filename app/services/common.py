"""Rules shared by every service that edits versioned, tenant-owned objects."""

from app.utils.errors import Conflict


def check_version(obj, expected_version: int | None) -> None:
    """Optimistic concurrency: If-Match carried a version that is no longer current -> 409."""
    if expected_version is not None and expected_version != obj.version:
        raise Conflict(
            f"{type(obj).__name__} was changed by someone else (now version {obj.version}, "
            f"you sent {expected_version}); reload and retry.",
            current_version=obj.version,
        )
