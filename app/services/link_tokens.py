"""Single-use links (invitations, password resets): `<tenant id>.<row id>.<secret>`.

The tenant id lets the link be opened inside that tenant's scope (no cross-tenant lookup, row-level
security stays closed); the row id finds the row; only the SHA-256 of the 32-byte secret is stored, and it
is compared in constant time. A link whose parts do not match one stored row of that tenant — a foreign
tenant's id pasted in, a guessed row — is simply not valid."""

import hashlib
import hmac
import secrets
import uuid

from app.utils.errors import Problem


class LinkInvalid(Problem):
    status, slug, title = 404, "link-invalid", "Link Not Valid"


class LinkExpired(Problem):
    status, slug, title = 410, "link-expired", "Link Expired"


class LinkUsed(Problem):
    status, slug, title = 410, "link-used", "Link Already Used"


def new_secret() -> tuple[str, str]:
    """(secret for the link, hash to store)."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def build(tenant_id: uuid.UUID, row_id: uuid.UUID, secret: str) -> str:
    return f"{tenant_id.hex}.{row_id.hex}.{secret}"


def parse(token: str, what: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    try:
        tenant_part, row_part, secret = (token or "").strip().split(".", 2)
        return uuid.UUID(hex=tenant_part), uuid.UUID(hex=row_part), secret
    except ValueError:
        raise LinkInvalid(f"This {what} link is not valid. Check that the whole link was copied.") from None


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_hash)
