"""A local SMTP sink: a real SMTP server (aiosmtpd) on loopback that keeps every message it receives
instead of delivering it, and a small web inbox to read them. `make run` starts it beside the app
(SMTP_URL=smtp://127.0.0.1:8725, inbox on http://127.0.0.1:8726/), so invitations and password resets work
in the demo offline; the test suite starts it as a separate process on ephemeral ports.

Each message is written as an .eml file into the sink's folder and announced on stdout (recipient, subject,
links). Standalone on purpose (no Flask app): `python -m app.integrations.sandbox.smtp_sink --port 0
--web-port 0 --dir DIR` prints {"smtp_port", "web_port"} as its first line once both listen.
"""

import argparse
import asyncio
import contextlib
import email
import email.policy
import html
import json
import re
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.smtp import SMTP

_LINK = re.compile(r"https?://[^\s<>\"']+")


class SinkHandler:
    """aiosmtpd handler: accept every message for any recipient and keep it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{self.count:05d}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        links = _LINK.findall(body.get_content()) if body is not None else []
        print(
            json.dumps({"to": envelope.rcpt_tos, "subject": message["Subject"], "links": links, "file": name}),
            flush=True,
        )
        return "250 Message accepted for delivery"


def _messages(folder: Path) -> list[dict]:
    items = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        plain = message.get_body(("plain",))
        items.append(
            {
                "file": path.name,
                "to": message["To"],
                "from": message["From"],
                "subject": message["Subject"],
                "date": message["Date"],
                "text": plain.get_content() if plain is not None else "",
            }
        )
    return items


def _inbox_handler(folder: Path):
    class Inbox(BaseHTTPRequestHandler):
        def log_message(self, *_args):  # quiet: the SMTP side already prints each message
            return

        def _send(self, status: int, content_type: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            messages = _messages(folder)
            if self.path == "/messages.json":
                self._send(200, "application/json", json.dumps(messages))
                return
            rows = []
            for item in messages:
                text = html.escape(item["text"])
                text = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)
                rows.append(
                    f"<article><h2>{html.escape(item['subject'] or '(no subject)')}</h2>"
                    f"<p><strong>To:</strong> {html.escape(item['to'] or '')} · {html.escape(item['date'] or '')}</p>"
                    f"<pre>{text}</pre></article>"
                )
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meridian mail sink</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
                "pre{white-space:pre-wrap;background:#f4f4f4;padding:.75rem}article{border-bottom:1px solid #ccc}"
                "a{color:#0b5cad}</style></head><body><h1>Mail sink</h1>"
                f"<p>{len(messages)} message(s) received; nothing here was delivered. Newest first.</p>"
                + "".join(rows)
                + "</body></html>"
            )
            self._send(200, "text/html; charset=utf-8", page)

    return Inbox


async def _serve(host: str, port: int, web_port: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handler = SinkHandler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="meridian-sink"), host, port)
    smtp_port = server.sockets[0].getsockname()[1]
    web = ThreadingHTTPServer((host, web_port), _inbox_handler(folder))
    threading.Thread(target=web.serve_forever, name="mail-sink-web", daemon=True).start()
    print(json.dumps({"smtp_port": smtp_port, "web_port": web.server_address[1], "dir": str(folder)}), flush=True)
    async with server:
        await server.serve_forever()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Local SMTP sink with a web inbox (development and tests).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8725, help="SMTP port (0: any free port)")
    parser.add_argument("--web-port", type=int, default=8726, help="web inbox port (0: any free port)")
    parser.add_argument("--dir", default="instance/mail", help="where received messages are kept")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print("the mail sink listens on loopback only", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.web_port, Path(args.dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
