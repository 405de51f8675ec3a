"""Rich text is sanitised on write (nh3, the Ammonia sanitiser): a safe subset of formatting survives,
scripts, event handlers and javascript: URLs do not. Plain-text fields are rendered with textContent in the
SPA and need nothing here."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def clean_html(value: str | None) -> str:
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_TAG = re.compile(r"<[^>]*>")


def plain_text(value: str | None) -> str:
    """The words of stored (already sanitised) rich text, for matching and search: every tag becomes a space
    so "<p>a</p><p>b</p>" does not run "a" and "b" together, and entities are decoded. Never for display."""
    if not value:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())
