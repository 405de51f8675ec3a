"""Delivering queued e-mail (app/services/mail_service.py) in its tenant's scope."""

from app.extensions import celery
from app.services import mail_service
from app.utils.tenant_context import tenant_scope


@celery.task(name="meridian.send_mail", acks_late=True)
def send_mail(mail_id: str, tenant_id: str):
    with tenant_scope(tenant_id):
        mail_service.deliver(mail_id)
