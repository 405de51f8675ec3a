"""The e-mails Meridian sends, each in plain text and HTML, signed with the tenant's name. Values are
escaped into the HTML; links are built from PUBLIC_BASE_URL (never from the request's Host header, which
a caller could forge to send someone a link to another site)."""

from dataclasses import dataclass

from flask import current_app
from markupsafe import escape


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def link(route: str, token: str) -> str:
    """A link into the SPA. The token travels in the fragment, which browsers never send to a server, so
    it does not end up in access logs or Referer headers."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/#/{route}?token={token}"


def _html(paragraphs: list[str], action: tuple[str, str] | None, footer: str) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if action:
        text, url = action
        body += (
            f'<p><a href="{escape(url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;'
            f'color:#ffffff;text-decoration:none;border-radius:4px">{escape(text)}</a></p>'
            f'<p style="font-size:13px;color:#444">Or paste this address into your browser:<br>{escape(url)}</p>'
        )
    return (
        '<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;color:#1a1a1a">'
        f'{body}<hr><p style="font-size:12px;color:#555">{escape(footer)}</p></body></html>'
    )


def _footer(tenant_name: str) -> str:
    return f"Sent by Meridian on behalf of {tenant_name}."


def invitation(tenant_name: str, inviter: str, role_text: str, url: str, valid_days: int) -> Rendered:
    subject = f"{inviter} invited you to {tenant_name} on Meridian"
    lines = [
        "Hello,",
        f"{inviter} invited you to join {tenant_name} on Meridian as {role_text}.",
        f"Choose your password with the link below. It works once and for {valid_days} days.",
    ]
    text = "\n\n".join(
        [*lines, url, "If you did not expect this invitation, ignore this e-mail.", _footer(tenant_name)]
    )
    html = _html(
        [*lines, "If you did not expect this invitation, ignore this e-mail."],
        ("Accept the invitation", url),
        _footer(tenant_name),
    )
    return Rendered(subject, text, html)


def password_reset(tenant_name: str, name: str, url: str, valid_minutes: int) -> Rendered:
    subject = f"Reset your Meridian password ({tenant_name})"
    lines = [
        f"Hello {name},",
        "Someone (hopefully you) asked to reset the password of your Meridian account.",
        f"Choose a new password with the link below. It works once and for {valid_minutes} minutes.",
    ]
    note = "If you did not ask for this, ignore this e-mail: your password stays as it is."
    text = "\n\n".join([*lines, url, note, _footer(tenant_name)])
    html = _html([*lines, note], ("Choose a new password", url), _footer(tenant_name))
    return Rendered(subject, text, html)


def password_changed(tenant_name: str, name: str, when: str) -> Rendered:
    subject = f"Your Meridian password was changed ({tenant_name})"
    lines = [
        f"Hello {name},",
        f"The password of your Meridian account was changed on {when} (UTC). Other sessions were signed out.",
        "If this was not you, contact your administrator at once.",
    ]
    text = "\n\n".join([*lines, _footer(tenant_name)])
    return Rendered(subject, text, _html(lines, None, _footer(tenant_name)))
