"""The in-app inbox and its e-mail copy. E-mail goes out only when SMTP_URL is configured
(smtp://user:pass@host:port, or smtps://...); a failing mail server never loses the in-app notification."""

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Notification, User
from app.services.pagination import paginate
from app.utils.clock import utcnow
from app.utils.errors import NotFound

# The notification kind of each SLA clock's breach (written by the sweep, app/services/hypercare/breaches.py).
BREACH_KINDS = {"response": "sla_response_breached", "resolution": "sla_resolution_breached"}

log = logging.getLogger(__name__)
MAX_EMAILS_PER_SWEEP = 500


def list_for(user: User, limit: int, offset: int, unread_only: bool = False) -> tuple[list, int, int]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    items, total = paginate(stmt.order_by(Notification.created_at.desc(), Notification.id), limit, offset)
    unread = db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()
    return items, total, unread


def mark_read(user: User, notification_id) -> Notification:
    notification = Notification.get_scoped_or_404(notification_id)
    if notification.user_id != user.id:
        raise NotFound("Notification not found")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def send_pending_emails(since) -> int:
    """Mail the breach notifications written by the sweep at `since` that have not been mailed yet (only the
    breach kinds: a notice of another kind written meanwhile, such as a disabled webhook, is not a breach)."""
    url = current_app.config.get("SMTP_URL") or ""
    if not url:
        return 0
    rows = db.session.execute(
        select(Notification.id, Notification.title, User.email)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.created_at >= since,
            Notification.emailed_at.is_(None),
            Notification.kind.in_(BREACH_KINDS.values()),
        )
        .limit(MAX_EMAILS_PER_SWEEP)
    ).all()
    if not rows:
        return 0
    sent = []
    try:
        with _connect(url) as smtp:
            for notification_id, title, email in rows:
                message = EmailMessage()
                message["From"] = current_app.config.get("SMTP_FROM", "meridian@localhost")
                message["To"] = email
                message["Subject"] = title
                message.set_content(f"{title}\n\nOpen Meridian's Hypercare war room for details.")
                smtp.send_message(message)
                sent.append(notification_id)
    except (OSError, smtplib.SMTPException):
        log.warning("SLA breach e-mail failed; the in-app notifications stand", exc_info=True)
    if sent:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(sent))
            .values(emailed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return len(sent)


def _connect(url: str) -> smtplib.SMTP:
    parsed = urlparse(url)
    factory = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
    smtp = factory(parsed.hostname or "localhost", parsed.port or (465 if parsed.scheme == "smtps" else 25), timeout=10)
    if parsed.username:
        smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
    return smtp
