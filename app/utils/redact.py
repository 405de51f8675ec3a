"""Credentials out of text we keep: log lines, and error messages that came from another system.

`redact(text, secrets)` replaces password hashes, bearer and basic credentials, JWTs, and the values of
`password=`, `client_secret: ...`, `access_token=` and the like with a marker; `secrets` adds exact strings
to remove. The patterns err towards removing too much: a log line or error message loses nothing a reader
needs when a credential is cut.

An upstream may echo a credential of any shape (an opaque token, a client secret), which no pattern
recognises. The gateway therefore `remember`s, per tenant, the credentials it sends — only as SHA-256
digests, so this process-wide memory holds nothing usable — and `redact(..., tenant_id=)` removes every
word of the text whose digest is among them."""

import hashlib
import re
import threading
from collections import OrderedDict, deque
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


_KEEP_PER_TENANT = 32  # credentials remembered per tenant (tokens rotate; the newest matter)
_KEEP_TENANTS = 1024
_known: OrderedDict[str, deque] = OrderedDict()
_known_lock = threading.Lock()
_WORD_SPLIT = re.compile(r"[\s\"'<>(){}\[\],;]+")
_TOKENISH = re.compile(r"[A-Za-z0-9._~+/=-]{" + str(_SHORTEST_SECRET) + ",}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def remember(tenant_id, *values: str | None) -> None:
    """Credentials the gateway sends for `tenant_id`, to be cut out of what their service answers."""
    digests = [_digest(v) for v in values if v and len(v) >= _SHORTEST_SECRET]
    if not digests or tenant_id is None:
        return
    key = str(tenant_id)
    with _known_lock:
        kept = _known.setdefault(key, deque(maxlen=_KEEP_PER_TENANT))
        _known.move_to_end(key)
        for digest in digests:
            if digest not in kept:
                kept.append(digest)
        while len(_known) > _KEEP_TENANTS:
            _known.popitem(last=False)


def _remembered_words(text: str, tenant_id) -> set[str]:
    with _known_lock:
        kept = set(_known.get(str(tenant_id), ()))
    if not kept:
        return set()
    words = set()
    for word in _WORD_SPLIT.split(text):
        words.update((word, word.rstrip(".:!?")))
        words.update(_TOKENISH.findall(word))
    return {w for w in words if len(w) >= _SHORTEST_SECRET and _digest(w) in kept}


def redact(text: str | None, secrets: Iterable[str | None] = (), tenant_id=None) -> str | None:
    if not text or not isinstance(text, str):
        return text
    if tenant_id is not None:
        secrets = [*secrets, *_remembered_words(text, tenant_id)]
    exact = sorted({s for s in secrets if s and len(s) >= _SHORTEST_SECRET}, key=len, reverse=True)
    if not exact and text in _known_clean:
        return text
    for secret in exact:
        text = text.replace(secret, MARK)
    cleaned = _remove_patterns(text)
    if not exact and cleaned == text and len(text) <= _CLEAN_TEXT_LENGTH:
        _remember_clean(text)
    return cleaned


# Every answer's access-log line ("GET /api/v1/projects 200") went through the four patterns: a sixtieth of a cached
# request's CPU. What they leave unchanged they always will, so short texts found clean are remembered (per process)
# and skip them next time. Only clean texts: this memory never holds anything the patterns would have cut.
_CLEAN_TEXT_LENGTH = 512
_KEEP_CLEAN_TEXTS = 4096
_known_clean: dict[str, None] = {}


def _remember_clean(text: str) -> None:
    if len(_known_clean) >= _KEEP_CLEAN_TEXTS:
        _known_clean.clear()  # rare (paths are few), and cheaper than ordering every hit
    _known_clean[text] = None


def _remove_patterns(text: str) -> str:
    text = _HASH.sub(MARK, text)
    text = _JWT.sub(MARK, text)
    text = _AUTH_SCHEME.sub(_scheme, text)
    return _KEYED.sub(lambda m: m.group(0) if m.group(3) == MARK else f"{m.group(1)}{m.group(2)}{MARK}", text)


def redact_document(value, tenant_id=None):
    """`redact` on every string inside a JSON document (lists and dicts, as stored in JSON columns)."""
    if isinstance(value, str):
        return redact(value, tenant_id=tenant_id)
    if isinstance(value, list):
        return [redact_document(item, tenant_id) for item in value]
    if isinstance(value, dict):
        return {key: redact_document(item, tenant_id) for key, item in value.items()}
    return value


def _scheme(match: re.Match) -> str:
    credential = match.group(3)
    # "Bearer token missing" is prose; a credential is long, or has a digit, padding or inner capitals.
    looks_random = any(c.isdigit() or c == "=" for c in credential) or any(c.isupper() for c in credential[1:])
    if len(credential) < 16 and not looks_random:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MARK}"
