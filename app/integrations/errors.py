"""What the gateway raises. Messages are written for the admin who reads them on the connection's
card; none contains a token, a secret or a payload."""


class GatewayError(Exception):
    """Base: the call did not produce a usable answer."""

    status_code: int | None = None

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class DestinationRefused(GatewayError):
    """The URL (or a redirect target) is not an allowed destination."""


class CircuitOpen(GatewayError):
    """The connection's breaker is open: the call failed fast without touching the network."""


class OutboundRateLimited(GatewayError):
    """This connection's outbound budget is spent for longer than a caller should wait."""


class UpstreamUnavailable(GatewayError):
    """Connection refused/reset or 5xx after the retries. `retry_after` (seconds) when the service said
    how long to wait."""

    retry_after: float | None = None


class Throttled(GatewayError):
    """429: the service is up and asks us to slow down. Not an outage, so the circuit breaker never counts
    it, and not waited out in-process: the caller reschedules its work `retry_after` seconds later (a
    delayed Celery retry), so no worker sleeps through a service-protection window."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message, 429)
        self.retry_after = retry_after


class UpstreamTimeout(UpstreamUnavailable):
    """No answer within the timeout."""


class AuthenticationFailed(GatewayError):
    """The token endpoint refused the client credentials, or the API still says 401 after a refresh."""
