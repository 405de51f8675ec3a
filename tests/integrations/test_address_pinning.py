"""DNS rebinding: the gateway dials the address its destination check vetted, never a second DNS answer."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from app.integrations import alm_gateway
from app.integrations.errors import UpstreamUnavailable
from tests.fixtures.gateway import gateway, profile


@pytest.fixture
def loopback_server():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, seen
    server.shutdown()
    server.server_close()


def test_a_pinned_name_is_dialled_at_its_vetted_address_and_keeps_its_host_header(loopback_server):
    port, seen = loopback_server
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", alm_gateway.PinningAdapter())
    url = f"http://alm.rebind.invalid:{port}/x"  # .invalid never resolves: only the pin can reach the server
    with alm_gateway.pinned("alm.rebind.invalid", ["127.0.0.1"]):
        assert session.get(url, timeout=5).text == "ok"
    assert seen == [f"alm.rebind.invalid:{port}"]
    with pytest.raises(requests.ConnectionError):  # outside the block the name resolves (and fails) normally
        session.get(url.replace("/x", "/y"), timeout=5)


def test_the_gateway_connects_to_the_checked_address_not_to_a_new_lookup(app, tenant_a, monkeypatch):
    dialled = []

    def fake_connect(address, *_args, **_kwargs):
        dialled.append(address)
        raise OSError("no route in the test")

    monkeypatch.setattr(alm_gateway, "create_connection", fake_connect)
    answers = iter([["20.30.40.50"], ["20.30.40.51"], ["20.30.40.52"], ["20.30.40.53"], ["20.30.40.54"]])
    prof = profile(tenant_a["tenant_id"], token_url=None)
    with pytest.raises(UpstreamUnavailable):
        gateway(app, prof, resolve=lambda host, port: next(answers)).request("GET", "/tasks")
    # every attempt dialled exactly the address its own check had just vetted (the first answer went to
    # the early check in request()), never the host name
    assert dialled == [("20.30.40.51", 443), ("20.30.40.52", 443), ("20.30.40.53", 443)]
