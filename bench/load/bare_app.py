"""The yardstick: bare Flask answering the same JSON bodies at the same paths, on the same gunicorn settings,
with no auth, no database, no Redis, no logging and no metrics. Each request still builds the response with
`jsonify` from the parsed body (as the app's views do), so what is left is routing, JSON encoding and the WSGI
round trip: the floor the app's reads are compared against.

The bodies are the app's own answers captured by the driver (BENCH_BARE_PAYLOADS: a JSON file
`{"routes": {"<path>": <body>, ...}}`); the query string is ignored.
"""

import json
import os

from flask import Flask, jsonify

app = Flask(__name__)


def _responder(body):
    def view(**_):
        return jsonify(body)

    return view


def _load(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        routes = json.load(handle)["routes"]
    for index, (route, body) in enumerate(sorted(routes.items())):
        app.add_url_rule(route, endpoint=f"payload_{index}", view_func=_responder(body))


@app.get("/healthz/live")
def live():
    return jsonify({"status": "ok"})


if os.environ.get("BENCH_BARE_PAYLOADS"):
    _load(os.environ["BENCH_BARE_PAYLOADS"])
