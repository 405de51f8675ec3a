"""`flask mail-sink`: the local SMTP sink with its web inbox (app/integrations/sandbox/smtp_sink.py), and
`flask mail-outbox`: what the platform queued, sent or failed to send, newest first."""

import click


def register_mail_cli(app):
    @app.cli.command("mail-sink")
    @click.option("--port", default=8725, show_default=True, help="SMTP port on 127.0.0.1")
    @click.option("--web-port", default=8726, show_default=True, help="web inbox port on 127.0.0.1")
    @click.option("--dir", "folder", default=None, help="where messages are kept (default: instance/mail)")
    def mail_sink(port, web_port, folder):
        """Receive the platform's e-mail locally instead of delivering it (point SMTP_URL here)."""
        import os

        from app.integrations.sandbox import smtp_sink

        folder = folder or os.path.join(app.instance_path, "mail")
        click.echo(f"Mail sink: SMTP on 127.0.0.1:{port}, inbox on http://127.0.0.1:{web_port}/ ({folder})")
        smtp_sink.main(["--port", str(port), "--web-port", str(web_port), "--dir", folder])

    @app.cli.command("mail-outbox")
    @click.option("--limit", default=20, show_default=True)
    def mail_outbox(limit):
        """The latest e-mails of every tenant: when, to whom, what, and whether it left."""
        from sqlalchemy import select

        from app.extensions import db
        from app.models import OutgoingMail
        from app.utils import tenant_context

        with tenant_context.unscoped():  # an operator command over every tenant
            rows = db.session.execute(
                select(OutgoingMail).order_by(OutgoingMail.created_at.desc()).limit(limit)
            ).scalars()
            for mail in rows:
                click.echo(
                    f"{mail.created_at:%Y-%m-%d %H:%M:%S}  {mail.status:<7}  {mail.recipient:<30}  {mail.subject}"
                )
