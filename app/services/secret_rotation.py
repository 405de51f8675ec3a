"""`flask crypto rotate`: re-encrypt every stored secret under the primary key, so older keys can be
removed from ENCRYPTION_KEYS afterwards. Runs across tenants (an operator command), one connection at a
time with a Core UPDATE: no version bump, no audit entry, since nothing a user sees changes."""

import logging

from sqlalchemy import select, update

from app.extensions import db
from app.models import IntegrationConnection, User, WebhookSubscription
from app.models.webhooks import SECRET_FIELD as WEBHOOK_SECRET_FIELD
from app.utils import tenant_context
from app.utils.crypto import SecretUnreadable, keyring

log = logging.getLogger(__name__)


def rotate_all() -> dict:
    ring = keyring()
    counts = {"connections": 0, "rotated": 0, "already_primary": 0, "unreadable": 0, "primary_key": ring.primary_id}
    failures = []
    with tenant_context.unscoped():
        rows = db.session.execute(
            select(
                IntegrationConnection.id,
                IntegrationConnection.tenant_id,
                IntegrationConnection.name,
                IntegrationConnection.secrets,
            ),
            execution_options={"include_deleted": True},
        ).all()
        for connection_id, tenant_id, name, secrets in rows:
            counts["connections"] += 1
            new_secrets, changed = {}, False
            for field, token in (secrets or {}).items():
                try:
                    if not ring.needs_rotation(token):
                        counts["already_primary"] += 1
                        new_secrets[field] = token
                        continue
                    plaintext = ring.decrypt(token, tenant_id=tenant_id, field=field)
                except SecretUnreadable as exc:
                    counts["unreadable"] += 1
                    failures.append(f"connection '{name}' ({connection_id}), {field}: {exc}")
                    new_secrets[field] = token
                    continue
                new_secrets[field] = ring.encrypt(plaintext, tenant_id=tenant_id, field=field)
                counts["rotated"] += 1
                changed = True
            if changed:
                db.session.execute(
                    update(IntegrationConnection.__table__)
                    .where(IntegrationConnection.__table__.c.id == connection_id)
                    .values(secrets=new_secrets)
                )
        db.session.commit()
        _rotate_second_factors(ring, counts, failures)
        _rotate_webhook_secrets(ring, counts, failures)
    for failure in failures:
        log.warning("secret not rotated: %s", failure)
    counts["failures"] = failures
    return counts


def _rotate_second_factors(ring, counts: dict, failures: list) -> None:
    """Users' TOTP secrets (and pending ones) are encrypted with the same keys."""
    counts["totp_secrets"] = 0
    users = db.session.execute(
        select(User.id, User.tenant_id, User.totp_secret, User.totp_pending_secret).where(
            (User.totp_secret.is_not(None)) | (User.totp_pending_secret.is_not(None))
        ),
        execution_options={"include_deleted": True},
    ).all()
    for user_id, tenant_id, *tokens in users:
        values = {}
        for column, token in zip(("totp_secret", "totp_pending_secret"), tokens, strict=True):
            if not token or not ring.needs_rotation(token):
                continue
            try:
                plaintext = ring.decrypt(token, tenant_id=tenant_id, field="totp_secret")
            except SecretUnreadable as exc:
                counts["unreadable"] += 1
                failures.append(f"user {user_id}, {column}: {exc}")
                continue
            values[column] = ring.encrypt(plaintext, tenant_id=tenant_id, field="totp_secret")
            counts["totp_secrets"] += 1
        if values:
            db.session.execute(update(User.__table__).where(User.__table__.c.id == user_id).values(**values))
    db.session.commit()


def _rotate_webhook_secrets(ring, counts: dict, failures: list) -> None:
    """The signing secrets of outbound webhook subscriptions (issue 15.6), deleted ones included."""
    counts["webhook_secrets"] = 0
    table = WebhookSubscription.__table__
    rows = db.session.execute(select(table.c.id, table.c.tenant_id, table.c.secret)).all()
    for subscription_id, tenant_id, token in rows:
        if not ring.needs_rotation(token):
            continue
        try:
            plaintext = ring.decrypt(token, tenant_id=tenant_id, field=WEBHOOK_SECRET_FIELD)
        except SecretUnreadable as exc:
            counts["unreadable"] += 1
            failures.append(f"webhook subscription {subscription_id}: {exc}")
            continue
        secret = ring.encrypt(plaintext, tenant_id=tenant_id, field=WEBHOOK_SECRET_FIELD)
        db.session.execute(update(table).where(table.c.id == subscription_id).values(secret=secret))
        counts["webhook_secrets"] += 1
    db.session.commit()
