"""Outgoing e-mail through SMTP_URL (invitations, password resets, security notices).

A message is first an `OutgoingMail` row — its body encrypted, because it may carry a single-use link —
committed with the change that caused it; then the `send_mail` task delivers it (on a worker, or eagerly
in-process when no broker is configured) and keeps only who, what and whether it left. Links never pass
through the broker, and an admin can see in Administration which mails failed.

SMTP_URL: `smtp://host:port` (plain, e.g. the local sink of `make run`), `smtp://user:pass@host:587?starttls=1`,
or `smtps://user:pass@host:465` (TLS from the first byte). Empty: nothing is sent and the row says
`skipped`, so a laptop without a mail server still works.
"""

import json
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import OutgoingMail
from app.services import dispatch
from app.services.pagination import paginate
from app.utils import crypto, tenant_context
from app.utils.clock import utcnow

log = logging.getLogger(__name__)
_BODY_FIELD = "mail_body"


def send(kind: str, recipient: str, subject: str, text: str, html: str) -> OutgoingMail:
    """Record the message and commit (with whatever the caller changed), then hand it to the sender."""
    tenant_id = tenant_context.require_tenant_id()
    body = crypto.encrypt(json.dumps({"text": text, "html": html}), tenant_id=tenant_id, field=_BODY_FIELD)
    mail = OutgoingMail(kind=kind, recipient=recipient, subject=subject[:300], body=body)
    db.session.add(mail)
    db.session.commit()
    dispatch.enqueue("send_mail", str(mail.id), str(tenant_id))
    return mail


def deliver(mail_id: str) -> None:
    """Send one queued message (the task calls this inside the tenant's scope). Idempotent: a message
    already sent, skipped or failed is left alone."""
    mail = OutgoingMail.get_scoped_or_404(mail_id)
    if mail.status != "queued" or not mail.body:
        return
    url = current_app.config["SMTP_URL"]
    if not url:
        mail.status, mail.error, mail.body = "skipped", "SMTP_URL is not set; nothing was sent.", None
        db.session.commit()
        return
    content = json.loads(crypto.decrypt(mail.body, tenant_id=mail.tenant_id, field=_BODY_FIELD))
    try:
        _send_smtp(url, _message(mail, content))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail %s to the SMTP server failed: %s", mail.id, type(exc).__name__)
        mail.status, mail.error = "failed", _describe(exc)
    else:
        mail.status, mail.sent_at, mail.error = "sent", utcnow(), None
    mail.body = None  # the link it carried must not outlive the attempt
    db.session.commit()


def _message(mail: OutgoingMail, content: dict) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(utcnow().timestamp(), usegmt=True)
    message["Message-ID"] = make_msgid(idstring=str(mail.id).replace("-", ""), domain="meridian.localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    message.set_content(content["text"])
    message.add_alternative(content["html"], subtype="html")
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    timeout = current_app.config["SMTP_TIMEOUT_SECONDS"]
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout, context=ssl.create_default_context())
    elif parts.scheme == "smtp":
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    else:
        raise smtplib.SMTPException(f"SMTP_URL scheme {parts.scheme!r} is not smtp or smtps")
    with client:
        if parts.scheme == "smtp" and options.get("starttls") in ("1", "true", "yes"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _describe(exc: Exception) -> str:
    """What went wrong, without anything from the URL (it may hold the SMTP password)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server refused the message ({exc.smtp_code})."[:500]
    if isinstance(exc, smtplib.SMTPException):
        return f"The mail server conversation failed ({type(exc).__name__})."
    return f"The mail server could not be reached ({type(exc).__name__})."


def list_mail(limit: int, offset: int, status: str | None = None, kind: str | None = None):
    stmt = select(OutgoingMail).order_by(OutgoingMail.created_at.desc(), OutgoingMail.id)
    if status:
        stmt = stmt.where(OutgoingMail.status == status)
    if kind:
        stmt = stmt.where(OutgoingMail.kind == kind)
    return paginate(stmt, limit, offset)
