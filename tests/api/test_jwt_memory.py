"""Issue 14: the JWT manager remembers tokens it verified (app/utils/jwt_manager.py). A remembered token must
still expire by the clock, must not be served for a different CSRF value, and a token that failed is never
remembered."""

import time
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token, decode_token
from flask_jwt_extended.exceptions import CSRFError

from app.extensions import jwt as manager


@pytest.fixture
def signed_calls(monkeypatch):
    """How many times PyJWT verified a signature."""
    calls = []
    real = pyjwt.decode

    def counting(*args, **kwargs):
        if kwargs.get("options", {}).get("verify_signature", True):
            calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(pyjwt, "decode", counting)
    return calls


def _token(app, seconds=60, **claims):
    with app.app_context():
        return create_access_token(
            identity="someone", expires_delta=timedelta(seconds=seconds), additional_claims=claims
        )


def test_a_token_is_verified_once_per_worker(app, signed_calls):
    token = _token(app)
    with app.app_context():
        first, second = decode_token(token), decode_token(token)
    assert first == second and first["sub"] == "someone"
    assert len(signed_calls) == 1


def test_a_remembered_token_still_expires(app):
    token = _token(app, seconds=1)
    with app.app_context():
        decode_token(token)
        time.sleep(1.1 + app.config.get("JWT_DECODE_LEEWAY", 0))
        with pytest.raises(pyjwt.ExpiredSignatureError):
            decode_token(token)


def test_a_remembered_token_is_not_served_for_another_csrf_value(app):
    token = _token(app, csrf="the-right-one")
    with app.app_context():
        assert decode_token(token, csrf_value="the-right-one")["csrf"] == "the-right-one"
        with pytest.raises(CSRFError):
            decode_token(token, csrf_value="a-forged-one")


def test_a_token_that_failed_is_never_remembered(app):
    forged = _token(app)[:-4] + "AAAA"
    with app.app_context():
        for _ in range(2):
            with pytest.raises(pyjwt.InvalidSignatureError):
                decode_token(forged)
    assert not any(key[0] == forged for key in manager._verified)


def test_callers_get_a_copy(app):
    token = _token(app)
    with app.app_context():
        decode_token(token)["sub"] = "someone else"
        assert decode_token(token)["sub"] == "someone"


def test_a_remembered_tokens_header_is_decoded_once(client, admin_a, monkeypatch):
    """flask-jwt-extended decodes the header of every request's token once more after verifying it."""
    calls = []
    real = pyjwt.get_unverified_header
    monkeypatch.setattr(pyjwt, "get_unverified_header", lambda token: calls.append(token) or real(token))
    assert admin_a.get("/api/v1/auth/me").status_code == 200
    calls.clear()
    for _ in range(3):
        assert admin_a.get("/api/v1/auth/me").status_code == 200
    assert calls == []
