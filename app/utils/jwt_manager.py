"""flask-jwt-extended's manager, remembering the tokens it has verified (issue 14).

Every request's token is decoded twice by flask-jwt-extended (once unverified to pick the key, once verified)
plus its header once more: about a tenth of the CPU of a cached war-room poll. A token is a fixed string whose
signature, issuer and audience do not change; only the clock moves. So a worker keeps the claims of the tokens it
verified, keyed by the exact token text and the CSRF value it came with, and checks only the expiry again (with
the same leeway PyJWT applies). What a token may do is still decided on every request after decoding: the session
check (app/services/auth_service.py `check_token`) sees logout, deactivation and role changes at once.

Bounded per worker (MAX_TOKENS); when full it starts over. A token that failed to decode is never remembered.

The header, which flask-jwt-extended decodes once more after verifying (`view_decorators` hands it to the
callbacks), is remembered the same way: it is part of the token text, so the same text always has the same header.
That call happens only after the token verified, so nothing unverified is remembered."""

import functools
import time

from flask_jwt_extended import JWTManager, view_decorators
from flask_jwt_extended.config import config

MAX_TOKENS = 4096
_read_header = view_decorators.get_unverified_jwt_headers


@functools.lru_cache(maxsize=MAX_TOKENS)
def _header(encoded_token: str) -> tuple:
    return tuple(_read_header(encoded_token).items())


def _remembered_header(encoded_token: str) -> dict:
    return dict(_header(encoded_token))  # a fresh dict: callers may add to it


view_decorators.get_unverified_jwt_headers = _remembered_header


class RememberingJWTManager(JWTManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verified: dict[tuple[str, str | None], dict] = {}

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        if allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        key = (encoded_token, csrf_value)
        claims = self._verified.get(key)
        if claims is not None and _unexpired(claims):
            return dict(claims)  # a copy: callers may add to it
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if len(self._verified) >= MAX_TOKENS:
            self._verified.clear()
        self._verified[key] = dict(claims)
        return claims


def _unexpired(claims: dict) -> bool:
    """PyJWT's rule: expired when exp <= now - leeway; a token without `exp` does not expire."""
    exp = claims.get("exp")
    leeway = config.leeway
    leeway = leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway
    return exp is None or exp > time.time() - leeway
