"""ALMGateway: the platform's single door to external lifecycle and business systems (seed 000 reviewer
notes A2-A4, docs/architecture.md "Outbound calls"). The only module of the app that imports `requests`.

Per call: destination check (every redirect hop too), outbound rate limit, circuit breaker, OAuth2
client-credentials token from the shared cache (one forced refresh on 401), 30 s timeout, at most 2
retries with exponential backoff and jitter on connection errors, 408, 429 and 5xx (Retry-After honoured,
capped), and one GatewayCallLog row written on its own connection. A 429 never counts toward the breaker;
a profile with `reschedule_on_429` (SAP Cloud ALM, Dynamics 365) gets Throttled at once instead of waiting,
and its job runs again after Retry-After. Connectors call `request()` and get a
GatewayResponse or a GatewayError; they never see tokens, sessions or retries.
"""

import base64
import hashlib
import json
import random
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from app.integrations import breaker as breakers
from app.integrations import call_log, outbound_limit
from app.integrations.destinations import check_destination, resolve_host
from app.integrations.errors import (
    AuthenticationFailed,
    CircuitOpen,
    DestinationRefused,
    GatewayError,
    OutboundRateLimited,
    Throttled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from app.integrations.token_cache import TokenCache
from app.utils import redact
from app.utils.clock import utcnow

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504}) | frozenset(range(505, 600))
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def backoff_sleep(seconds: float) -> None:
    """The default wait between retries; a module function so tests can replace it."""
    time.sleep(seconds)


@dataclass(frozen=True)
class ConnectionProfile:
    """Everything the gateway needs about one connection; built by the integration service from the
    stored connection (secrets decrypted just for the call, never logged: repr hides them)."""

    tenant_id: object
    connection_id: object
    kind: str
    base_url: str
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None
    rate_per_second: float = 10.0
    burst: int = 20
    headers: tuple = ()
    basic_auth: bool = False  # marketplaces: client_id:client_secret as HTTP Basic on every call, no token
    # A 429 raises Throttled at once (the job reschedules itself after Retry-After) instead of being waited
    # out here with the other retries; the SAP Cloud ALM and Dynamics 365 connectors ask for this.
    reschedule_on_429: bool = False

    @property
    def token_cache_key(self) -> str:
        if self.kind == "cloud_alm":  # one Cloud ALM connection per tenant (seed 000 §6 names the key)
            return f"cloud_alm_token:{self.tenant_id}"
        return f"oauth_token:{self.kind}:{self.tenant_id}:{self.connection_id}"

    @property
    def breaker_name(self) -> str:
        return f"{self.tenant_id}:{self.connection_id or self.kind}"


@dataclass
class GatewayResponse:
    status_code: int
    headers: dict
    content: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self):
        return json.loads(self.content) if self.content else None


@dataclass
class _Outcome:
    attempt: int = 0
    status: int | None = None
    error: str | None = None


class ALMGateway:
    TIMEOUT_SECONDS = 30.0
    MAX_RETRIES = 2
    BACKOFF_BASE_SECONDS = 0.5
    RETRY_AFTER_CAP_SECONDS = 30.0
    MAX_REDIRECTS = 3
    RATE_WAIT_CAP_SECONDS = 10.0

    def __init__(
        self,
        profile: ConnectionProfile,
        *,
        store,
        keyring,
        engine,
        allowlist=(),
        user_id=None,
        timeout: float | None = None,
        sleep=None,
        resolve=resolve_host,
        rng=random.random,
    ):
        self.profile = profile
        self.store, self.engine, self.allowlist, self.user_id = store, engine, tuple(allowlist), user_id
        self.timeout = timeout or self.TIMEOUT_SECONDS
        self.sleep = sleep or (lambda seconds: backoff_sleep(seconds))
        self.resolve, self.rng = resolve, rng
        self.tokens = TokenCache(store, keyring, profile.token_cache_key, profile.tenant_id)
        # Whatever this service answers is cut free of the credentials we send it before it is stored.
        redact.remember(profile.tenant_id, profile.client_secret)
        self.log_rows: list | None = None  # see collect_log_rows
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy or .netrc from the environment may see our requests
        for scheme in ("https://", "http://"):  # dial only what the destination check vetted
            self._session.mount(scheme, PinningAdapter())

    @classmethod
    def for_current_app(cls, profile: ConnectionProfile, **kwargs) -> "ALMGateway":
        from flask import current_app

        from app.extensions import db
        from app.utils import tenant_context

        kwargs.setdefault("user_id", tenant_context.current_actor_id())
        kwargs.setdefault("timeout", current_app.config.get("OUTBOUND_TIMEOUT_SECONDS"))
        return cls(
            profile,
            store=current_app.extensions["kv"],
            keyring=current_app.extensions["crypto"],
            engine=db.engine,
            allowlist=current_app.config["OUTBOUND_ALLOWLIST"],
            **kwargs,
        )

    # -- the one public call ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body=None,
        params=None,
        headers=None,
        raw_body: bytes | None = None,
        content_type: str | None = None,
    ) -> GatewayResponse:
        """`raw_body` + `content_type` send a non-JSON body (e.g. an OData multipart $batch)."""
        started = time.perf_counter()
        method = method.upper()
        body = None if json_body is None else json.dumps(json_body, separators=(",", ":"), sort_keys=True).encode()
        if raw_body is not None:
            body = raw_body
        content_type = content_type or "application/json"
        outcome = _Outcome()
        try:
            url = urljoin(self.profile.base_url.rstrip("/") + "/", path.lstrip("/"))
            self._check(url)
            self._respect_rate_limit()
            breaker = breakers.make_breaker(self.store, self.profile.breaker_name, _outage)
            try:
                return breaker.call(self._send_with_retries, method, url, body, params, headers, outcome, content_type)
            except breakers.pybreaker.CircuitBreakerError:
                raise CircuitOpen(
                    f"The circuit breaker is open after repeated failures; no calls for up to "
                    f"{breakers.OPEN_SECONDS} s."
                ) from None
        except GatewayError as exc:
            outcome.error = str(exc)
            outcome.status = outcome.status if exc.status_code is None else exc.status_code
            raise
        except Exception as exc:
            outcome.error = f"{type(exc).__name__}"
            raise
        finally:
            row = dict(
                tenant_id=self.profile.tenant_id,
                connection_id=self.profile.connection_id,
                connection_kind=self.profile.kind,
                user_id=self.user_id,
                method=method,
                path=urlsplit(path).path or path,
                payload_hash=hashlib.sha256(body).hexdigest() if body else None,
                response_code=outcome.status,
                attempt=outcome.attempt,
                error=outcome.error,
                latency_ms=int((time.perf_counter() - started) * 1000),
                created_at=utcnow(),
            )
            if self.log_rows is not None:
                self.log_rows.append(row)
            else:
                call_log.record(self.engine, **row)

    def collect_log_rows(self) -> list:
        """From now on this gateway keeps its call-log rows for the caller to write in groups
        (call_log.record_many), instead of one transaction per call: a push with eight calls in flight
        would otherwise queue on the log's commits. The caller flushes them, on its own connection too."""
        self.log_rows = []
        return self.log_rows

    def breaker_state(self) -> str:
        return breakers.breaker_state(self.store, self.profile.breaker_name)

    # -- the parts --------------------------------------------------------------------------------

    def _check(self, url: str) -> list[str] | None:
        return check_destination(url, self.allowlist, self.resolve)

    def _respect_rate_limit(self) -> None:
        wait = outbound_limit.reserve(
            self.store,
            self.profile.breaker_name,
            self.profile.rate_per_second,
            self.profile.burst,
            self.RATE_WAIT_CAP_SECONDS,
        )
        if wait is None:
            raise OutboundRateLimited("This connection's outbound call budget is spent; try again shortly.")
        if wait > 0:
            self.sleep(wait)

    def _send_with_retries(
        self, method, url, body, params, headers, outcome: _Outcome, content_type: str = "application/json"
    ) -> GatewayResponse:
        refreshed = False
        retries = 0
        while True:
            outcome.attempt += 1
            retry_after = None
            try:
                token = self._token() if self.profile.token_url else None
                response = self._send_following_redirects(method, url, body, params, headers, token, content_type)
            except requests.Timeout:
                error: UpstreamUnavailable = UpstreamTimeout(f"No answer within {self.timeout:g} s.")
            except requests.ConnectionError:
                error = UpstreamUnavailable("Could not connect to the service (refused, reset or unreachable).")
            except UpstreamUnavailable as exc:  # the token endpoint is down
                error = exc
            else:
                outcome.status = response.status_code
                if response.status_code == 401 and self.profile.token_url:
                    self.tokens.invalidate(token)
                    if not refreshed:
                        refreshed = True  # the token expired early or was revoked: one fresh token, once
                        continue
                    raise AuthenticationFailed("The service refused a freshly issued token (HTTP 401).", 401)
                if response.status_code == 429 and self.profile.reschedule_on_429:
                    wait = self._retry_after(response.headers.get("Retry-After"))
                    raise Throttled(_throttled_message(wait), wait)
                if response.status_code not in RETRYABLE_STATUSES:
                    return GatewayResponse(response.status_code, dict(response.headers), response.content)
                error = UpstreamUnavailable(f"The service answered HTTP {response.status_code}.", response.status_code)
                retry_after = self._retry_after(response.headers.get("Retry-After"))
                error.retry_after = retry_after  # callers with their own retry policy honour it too
            if retries >= self.MAX_RETRIES:
                raise error
            retries += 1
            self.sleep(self._backoff(retries, retry_after))

    def _backoff(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.RETRY_AFTER_CAP_SECONDS)
        exponential = self.BACKOFF_BASE_SECONDS * (2 ** (retry - 1))
        return exponential + self.rng() * exponential  # jitter spreads retries of many callers apart

    def _retry_after(self, value: str | None) -> float | None:
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
        except (TypeError, ValueError):
            return None

    def _send_following_redirects(self, method, url, body, params, headers, token, content_type="application/json"):
        origin = _origin(url)
        for _hop in range(self.MAX_REDIRECTS + 1):
            sent_headers = {"Accept": "application/json", **dict(self.profile.headers), **(headers or {})}
            if body is not None:
                sent_headers["Content-Type"] = content_type
            if token and _origin(url) == origin:  # the token never follows a redirect to another origin
                sent_headers["Authorization"] = f"Bearer {token}"
                redact.remember(self.profile.tenant_id, token)
            elif self.profile.basic_auth and _origin(url) == origin:  # nor do Basic credentials
                sent_headers["Authorization"] = _basic(self.profile.client_id, self.profile.client_secret)
            with pinned(urlsplit(url).hostname, self._check(url)):  # checked now, dialled now: no rebinding
                response = self._session.request(
                    method,
                    url,
                    data=body,
                    params=params,
                    headers=sent_headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            url = urljoin(response.url or url, location)  # checked (and pinned) when the next hop is sent
            params = None  # the Location is a complete URL
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
        raise DestinationRefused(f"More than {self.MAX_REDIRECTS} redirects.")

    def _token(self) -> str:
        return self.tokens.get_or_fetch(self._fetch_token)

    def _fetch_token(self) -> tuple[str, int]:
        profile = self.profile
        addresses = self._check(profile.token_url)
        form = {"grant_type": "client_credentials"}
        if profile.scope:
            form["scope"] = profile.scope
        with pinned(urlsplit(profile.token_url).hostname, addresses):
            response = self._session.post(
                profile.token_url,
                data=form,
                # Our own Basic header, UTF-8 (RFC 7617): requests encodes the pair as Latin-1 and raised on
                # any other character, a 500 for a client id such as "müşteri".
                headers={
                    "Accept": "application/json",
                    "Authorization": _basic(profile.client_id, profile.client_secret),
                },
                timeout=self.timeout,
                allow_redirects=False,
            )
        if response.status_code == 429 and profile.reschedule_on_429:
            wait = self._retry_after(response.headers.get("Retry-After"))
            raise Throttled("The token endpoint is throttling. " + _throttled_message(wait), wait)
        if response.status_code in RETRYABLE_STATUSES:
            raise UpstreamUnavailable(f"The token endpoint answered HTTP {response.status_code}.", response.status_code)
        if response.status_code != 200:
            raise AuthenticationFailed(
                f"The token endpoint refused the client credentials (HTTP {response.status_code}).",
                response.status_code,
            )
        try:
            document = response.json()
            return str(document["access_token"]), int(document.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AuthenticationFailed("The token endpoint's answer carries no access_token.") from None


def _outage(exc: BaseException) -> bool:
    """What the breaker counts: the service down or failing, not a 429 (throttling is not an outage)."""
    return isinstance(exc, UpstreamUnavailable) and exc.status_code != 429


def _throttled_message(wait: float | None) -> str:
    after = f"; it asks to wait {wait:g} s" if wait is not None else ""
    return f"The service is throttling requests (HTTP 429){after}."


def _basic(user: str | None, password: str | None) -> str:
    return "Basic " + base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode()


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


# -- address pinning --------------------------------------------------------------------------------
# Connect to the address the destination check vetted, not to a second DNS answer.
#
# The check resolves a host and refuses non-public addresses; if the HTTP client resolved the name again, a
# hostile DNS server could answer with a public address for the check and 169.254.169.254 for the connection
# (DNS rebinding). The gateway sends each request inside `pinned(host, addresses)`, and the connections of
# `PinningAdapter` dial the first vetted address while TLS still verifies the certificate against the host
# name (SNI and Host header are unchanged). Hosts without a pin (the operator's allowlist) resolve normally.

_PINS: ContextVar[dict | None] = ContextVar("meridian_outbound_pins", default=None)


@contextmanager
def pinned(host: str, addresses: list[str] | None):
    """While the block runs, new connections to `host` dial `addresses[0]`."""
    if not addresses:
        yield
        return
    token = _PINS.set({**(_PINS.get() or {}), host.lower(): addresses[0].split("%", 1)[0]})
    try:
        yield
    finally:
        _PINS.reset(token)


def pinned_address(host: str) -> str | None:
    return (_PINS.get() or {}).get((host or "").lower())


class _PinnedMixin:
    def _new_conn(self):
        """urllib3's own dial, to the pinned address. `host` (Host header, SNI, certificate check) is not
        touched: it stays the name the caller asked for."""
        address = pinned_address(self.host)
        if not address:
            return super()._new_conn()
        try:
            sock = create_connection(
                (address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} ({address}) timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection to {address}: {exc}") from exc
        sys.audit("http.client.connect", self, self.host, self.port)
        return sock


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinningAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}
