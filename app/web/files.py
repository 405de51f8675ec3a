"""File uploads into attachments and file downloads out of them.

An upload is `multipart/form-data` with one `file` field. Its request may be as large as the installation's
attachment ceiling (ATTACHMENT_MAX_UPLOAD_BYTES) rather than MAX_CONTENT_LENGTH; a larger one is refused
from its Content-Length before the body is read. A download is always `Content-Disposition: attachment`
with the stored (sniffed) type and `X-Content-Type-Options: nosniff`, so the browser neither renders nor
guesses; only our own PNG thumbnails are served inline."""

import unicodedata
from urllib.parse import quote

from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.utils.errors import UnsupportedMediaType, ValidationFailed

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file


def multipart_file(too_large) -> tuple[str, bytes]:
    """(the client's file name, the bytes) of the `file` field. `too_large(size, limit)` makes the 413
    problem for a request beyond the ceiling (the tenant's own, smaller limit is the service's)."""
    ceiling = int(current_app.config["ATTACHMENT_MAX_UPLOAD_BYTES"])
    if request.content_length is not None and request.content_length > ceiling + MULTIPART_OVERHEAD:
        raise too_large(request.content_length, ceiling)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the file as multipart/form-data in a field named `file`.")
    request.max_content_length = ceiling + MULTIPART_OVERHEAD
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise too_large(request.content_length or ceiling + 1, ceiling) from None
    if upload is None:
        raise ValidationFailed("No file was sent.", errors={"file": ["Attach a file in the `file` field."]})
    # The body is `file` alone (AttachmentUploadSchema): another part is a typo or a field we would drop.
    unknown = sorted({*request.form, *request.files} - {"file"})
    if unknown:
        raise ValidationFailed("The upload has unknown fields.", errors={key: ["Unknown field."] for key in unknown})
    return upload.filename or "", upload.read(ceiling + 1)


def _disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback and the exact name in UTF-8 (RFC 8187) for browsers that read it."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch for ch in fallback if ch.isprintable() and ch not in '"\\') or "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_download(chunks, filename: str, content_type: str, size: int | None = None, etag: str | None = None):
    response = Response(chunks, content_type=content_type, direct_passthrough=True)  # no charset added
    response.headers["Content-Disposition"] = _disposition("attachment", filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if size is not None:
        response.headers["Content-Length"] = str(size)
    if etag:
        response.set_etag(etag)
    return response


def inline_image(chunks, filename: str):
    """Our own PNG thumbnail, shown in the page."""
    response = Response(chunks, mimetype="image/png", direct_passthrough=True)
    response.headers["Content-Disposition"] = _disposition("inline", filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
