"""Why a push failed, told apart (seed 003 §2.1 step 4): the user reads `message` on the lead, the
metrics count by `reason`, and the client retries only what `retryable` says."""


class D365Error(Exception):
    reason = "unavailable"
    retryable = True
    label = "Dynamics 365 unavailable"

    def __init__(self, detail: str, *, status_code: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.detail, self.status_code, self.retry_after = detail, status_code, retry_after

    @property
    def message(self) -> str:
        return f"{self.label}: {self.detail}"


class D365AuthError(D365Error):
    """Client credentials refused, token rejected after a refresh, or the app user lacks a privilege."""

    reason, retryable, label = "auth", False, "Authentication failed"


class D365ValidationError(D365Error):
    """Dynamics refused the record itself (400, 412/404 preconditions): retrying cannot help."""

    reason, retryable, label = "validation", False, "Rejected by Dynamics 365"


class D365RateLimited(D365Error):
    """429 service protection limit; `retry_after` from the response."""

    reason, retryable, label = "rate_limit", True, "Rate limited by Dynamics 365"


class D365ConfigurationError(D365Error):
    """No usable connection, or the destination is not allowed."""

    reason, retryable, label = "configuration", False, "Connection not usable"


class D365OutcomeUnknown(D365Error):
    """The request may or may not have been applied (timeout, 5xx, an answer that cannot be read or that
    does not match the requests one to one). Never resent blindly: the client reads the records back first."""

    reason, retryable, label = "unavailable", True, "Dynamics 365 unavailable"
