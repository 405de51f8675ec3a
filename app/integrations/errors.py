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
    """Connection refused/reset, 5xx or 429 after the retries."""


class UpstreamTimeout(UpstreamUnavailable):
    """No answer within the timeout."""


class AuthenticationFailed(GatewayError):
    """The token endpoint refused the client credentials, or the API still says 401 after a refresh."""
