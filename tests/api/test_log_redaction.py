"""Issue 13.10: a failed statement never puts its bound values in the log, and credentials that reach a log
line anyway (hashes, bearer tokens, passwords) are cut out."""

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import User
from app.utils import tenant_context


def test_a_database_error_logs_neither_the_parameters_nor_the_password_hash(app, tenant_a, caplog):
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        twin = User(id=tenant_a["admin_id"], email="twin@alpha.test", name="Twin", role="viewer")
        twin.set_password("An-Unguessable-Passphrase-77")
        secret_hash = twin.password_hash
        db.session.add(twin)
        raised = None
        with caplog.at_level(logging.ERROR):
            try:
                db.session.flush()  # the primary key is taken: the database refuses the row
            except IntegrityError as exc:
                raised = exc
                logging.getLogger("app.utils.errors").exception("unhandled error")
        db.session.rollback()
    assert raised is not None
    assert secret_hash.startswith("scrypt:")
    assert secret_hash not in str(raised) and "twin@alpha.test" not in str(raised)
    assert "IntegrityError" in caplog.text  # the error itself is still reported
    assert secret_hash not in caplog.text and secret_hash.rsplit("$", 1)[1] not in caplog.text
    assert "twin@alpha.test" not in caplog.text


def test_a_unhandled_error_is_logged_without_parameters(app, admin_a, monkeypatch, caplog):
    """Through the real 500 handler: the statement that failed carried a password hash."""
    from sqlalchemy import text

    from app.blueprints import system

    leaked = "scrypt:32768:8:1$Zm9vYmFy$" + "ab" * 32

    def failing_tenant():
        db.session.execute(text("SELECT no_such_column FROM users WHERE password_hash = :h"), {"h": leaked})

    monkeypatch.setattr(system, "me_dict", lambda *_: failing_tenant())
    with caplog.at_level(logging.ERROR):
        answer = admin_a.get("/api/v1/tenant")
    assert answer.status_code == 500 and leaked not in answer.get_data(as_text=True)
    assert "unhandled error" in caplog.text and "no_such_column" in caplog.text
    assert leaked not in caplog.text and "ab" * 32 not in caplog.text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("calling with Authorization: Bearer %s", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
        ("calling with Authorization: Bearer %s", "opaque-token-0123456789"),
        ("login body {'email': 'a@b.test', 'password': '%s'}", "Correct-Horse-42!"),
        ("stored hash %s", "pbkdf2:sha256:600000$c2FsdA$0123456789abcdef0123456789abcdef"),
        ("token endpoint said client_secret=%s&grant_type=client_credentials", "sUp3r-s3cret-value"),
    ],
)
def test_credentials_in_a_log_line_are_redacted(app, caplog, line, secret):
    with caplog.at_level(logging.INFO):
        logging.getLogger("meridian.test").info(line, secret)
    assert secret not in caplog.text and "[redacted]" in caplog.text


def test_an_ordinary_line_is_left_alone(app, caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("meridian.test").info("job %s failed: bearer token missing", "42")
    assert "job 42 failed: bearer token missing" in caplog.text


def test_a_clean_line_is_checked_once_and_a_credential_is_still_cut_after_it(monkeypatch):
    """The patterns' verdict on a short clean text is remembered (the access log's repeated lines); a text with a
    credential is never remembered, and a credential remembered for the tenant later is still cut from a text that
    was clean before."""
    from app.utils import redact as redaction

    runs = []
    real = redaction._remove_patterns
    monkeypatch.setattr(redaction, "_remove_patterns", lambda text: runs.append(text) or real(text))
    monkeypatch.setattr(redaction, "_known_clean", {})
    line = "GET /api/v1/projects/7/hypercare/incidents 200"
    assert redaction.redact(line) == line and redaction.redact(line) == line
    assert runs == [line]

    leaky = "GET /api/v1/callback?access_token=opaque-0123456789 200"
    assert redaction.redact(leaky) == redaction.redact(leaky) == "GET /api/v1/callback?access_token=[redacted] 200"
    assert runs.count(leaky) == 2 and leaky not in redaction._known_clean

    tenant = "7b0c8a52-9d0e-4b1c-8f7e-2f4d0b6f9a11"
    echoed = "upstream said: unknown key zq81-opaque-credential"
    assert redaction.redact(echoed, tenant_id=tenant) == echoed  # clean, and now remembered as such
    redaction.remember(tenant, "zq81-opaque-credential")
    assert redaction.redact(echoed, tenant_id=tenant) == "upstream said: unknown key [redacted]"


def test_the_access_line_keeps_its_message_and_fields(app, client, caplog):
    with caplog.at_level(logging.INFO, logger="meridian.access"):
        client.get("/healthz/live?token=x")
    record = next(r for r in caplog.records if r.name == "meridian.access")
    assert record.getMessage() == "GET /healthz/live 200"
    assert (record.method, record.path, record.status) == ("GET", "/healthz/live", 200)
    assert record.levelno == logging.INFO and record.correlation_id and isinstance(record.duration_ms, float)
