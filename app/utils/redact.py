"""Credentials out of text we keep: log lines, and error messages that came from another system.

`redact(text, secrets)` replaces password hashes, bearer and basic credentials, JWTs, and the values of
`password=`, `client_secret: ...`, `access_token=` and the like with a marker; `secrets` adds exact strings
to remove (a connection's own configured secrets, which may have any shape). The patterns err towards
removing too much: a log line or error message loses nothing a reader needs when a credential is cut."""

import re
from collections.abc import Iterable

MARK = "[redacted]"

# werkzeug's password hashes: scrypt:32768:8:1$salt$hex, pbkdf2:sha256:600000$salt$hex
_HASH = re.compile(r"\b(?:scrypt|pbkdf2)(?::[A-Za-z0-9]+)*\$[^$\s'\"]*\$[0-9a-fA-F]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{6,})")
_KEYED = re.compile(
    r"""(?ix)
    (\b[\w-]*(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token
        |client[_-]?assertion|credential|signature|private[_-]?key)[\w-]*)
    (["']?\s*[:=]\s*["']?)
    (\[redacted\]|[^"'&\s,;}\]]+)
    """
)
_SHORTEST_SECRET = 4  # shorter configured values would cut ordinary words out of messages


def redact(text: str | None, secrets: Iterable[str | None] = ()) -> str | None:
    if not text:
        return text
    for secret in sorted({s for s in secrets if s and len(s) >= _SHORTEST_SECRET}, key=len, reverse=True):
        text = text.replace(secret, MARK)
    text = _HASH.sub(MARK, text)
    text = _JWT.sub(MARK, text)
    text = _AUTH_SCHEME.sub(_scheme, text)
    return _KEYED.sub(lambda m: m.group(0) if m.group(3) == MARK else f"{m.group(1)}{m.group(2)}{MARK}", text)


def _scheme(match: re.Match) -> str:
    credential = match.group(3)
    # "Bearer token missing" is prose; a credential is long, or has a digit, padding or inner capitals.
    looks_random = any(c.isdigit() or c == "=" for c in credential) or any(c.isupper() for c in credential[1:])
    if len(credential) < 16 and not looks_random:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MARK}"
