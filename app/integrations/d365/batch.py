"""OData $batch bodies as the Dataverse Web API takes and answers them ("Execute batch operations using the
Web API", learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api):

  Content-Type: multipart/mixed; boundary="batch_<id>"
  --batch_<id>CRLF
  Content-Type: application/httpCRLF
  Content-Transfer-Encoding: binaryCRLF
  CRLF
  PATCH /api/data/v9.2/leads(new_meridiandomain='acme.com')?$select=leadid HTTP/1.1CRLF
  Content-Type: application/json; type=entryCRLF
  CRLF
  {...}CRLF
  --batch_<id>--CRLF

Answers come back in the same order, each an application/http part holding an HTTP response; a change set
is a nested multipart/mixed part. Both directions go through the standard library's MIME parser (the email
package), never string splitting: a boundary inside a JSON value or a part without a status line cannot
shift the answers onto the wrong requests."""

import email
import email.policy
import json
import uuid
from dataclasses import dataclass, field

CRLF = b"\r\n"


@dataclass(frozen=True)
class HttpPart:
    """One HTTP message inside a batch: a request (method + target) or a response (status)."""

    headers: dict = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    method: str | None = None
    target: str | None = None
    status: int | None = None
    content_id: str | None = None
    changeset: int | None = None  # index of the change set the part belongs to, None outside one

    def json(self):
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


# -- writing ---------------------------------------------------------------------------------------


def new_boundary(prefix: str = "batch") -> str:
    return f"{prefix}_{uuid.uuid4()}"


def http_request(method: str, target: str, headers: dict | None = None, body: bytes | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1".encode()]
    lines += [f"{name}: {value}".encode() for name, value in (headers or {}).items()]
    return CRLF.join(lines) + CRLF + CRLF + (body or b"")


def http_response(status: int, reason: str, headers: dict | None = None, body: bytes | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}".encode()]
    lines += [f"{name}: {value}".encode() for name, value in (headers or {}).items()]
    return CRLF.join(lines) + CRLF + CRLF + (body or b"")


def multipart(boundary: str, parts: list[tuple[dict, bytes]]) -> bytes:
    """`parts`: (MIME part headers, payload). Each payload is followed by CRLF, which belongs to the next
    delimiter; the body ends with the closing delimiter and CRLF."""
    out = []
    for headers, payload in parts:
        head = CRLF.join(f"{name}: {value}".encode() for name, value in headers.items())
        out.append(b"--" + boundary.encode() + CRLF + head + CRLF + CRLF + payload + CRLF)
    return b"".join(out) + b"--" + boundary.encode() + b"--" + CRLF


def application_http(payload: bytes, content_id: str | None = None) -> tuple[dict, bytes]:
    headers = {"Content-Type": "application/http", "Content-Transfer-Encoding": "binary"}
    if content_id is not None:
        headers["Content-ID"] = content_id
    return headers, payload


def content_type(boundary: str) -> str:
    return f'multipart/mixed; boundary="{boundary}"'


# -- reading ---------------------------------------------------------------------------------------


class MalformedBatch(ValueError):
    """The body is not the multipart/mixed the Content-Type announces, or a part is not an HTTP message."""


def parse_multipart(content_type_header: str, content: bytes) -> list[HttpPart]:
    """Every application/http part in order, change sets flattened (each part keeps its change set's
    index). Requests and responses alike; raises MalformedBatch on anything else."""
    message = email.message_from_bytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + CRLF + CRLF + content, policy=email.policy.HTTP
    )
    if not message.is_multipart() or message.get_content_type() != "multipart/mixed":
        raise MalformedBatch("The answer is not multipart/mixed.")
    if message.defects:
        raise MalformedBatch(f"Malformed multipart body ({type(message.defects[0]).__name__}).")
    parts: list[HttpPart] = []
    changesets = 0
    for part in message.iter_parts():
        if part.is_multipart():
            for inner in part.iter_parts():
                parts.append(_http_part(inner, changesets))
            changesets += 1
        else:
            parts.append(_http_part(part, None))
    return parts


def _http_part(part, changeset: int | None) -> HttpPart:
    if part.get_content_type() != "application/http":
        raise MalformedBatch(f"A batch part of type {part.get_content_type()} is not an HTTP message.")
    payload = part.get_payload(decode=True) or b""
    start, _, rest = payload.partition(CRLF)
    message = email.message_from_bytes(rest, policy=email.policy.HTTP)
    headers = {name.lower(): str(value) for name, value in message.items()}
    body = message.get_payload(decode=True) or b""
    words = start.decode("latin-1").split(" ")
    content_id = part.get("Content-ID")
    content_id = str(content_id).strip() if content_id is not None else None
    if words[0].startswith("HTTP/"):
        try:
            status = int(words[1])
        except (IndexError, ValueError):
            raise MalformedBatch(f"Unreadable status line {start[:40]!r}.") from None
        return HttpPart(headers, body, status=status, content_id=content_id, changeset=changeset)
    if len(words) < 3 or not words[2].startswith("HTTP/"):
        raise MalformedBatch(f"Unreadable request line {start[:40]!r}.")
    return HttpPart(headers, body, method=words[0], target=words[1], content_id=content_id, changeset=changeset)
