"""The Dataverse Web API client for leads (seed 003 §2.3): upsert by alternate key, one at a time or in
$batch requests, through the ALMGateway (the one door out). The gateway owns tokens (one refresh on 401),
destinations, the breaker and the call log; this client owns the push's retry policy: 3 attempts with
exponential backoff, honouring Retry-After, never retrying what cannot succeed (auth, validation)."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context

from app.integrations.alm_gateway import ALMGateway
from app.integrations.d365 import mapping
from app.integrations.d365.connector import API
from app.integrations.d365.dto import LeadDTO, PushOutcome
from app.integrations.d365.errors import (
    D365AuthError,
    D365ConfigurationError,
    D365Error,
    D365RateLimited,
    D365ValidationError,
)
from app.integrations.errors import (
    AuthenticationFailed,
    DestinationRefused,
    GatewayError,
    OutboundRateLimited,
    UpstreamUnavailable,
)


def backoff_sleep(seconds: float) -> None:
    """The wait between push attempts; a module function so tests replace it (no wall-clock sleeps)."""
    time.sleep(seconds)


class SingleAttemptGateway(ALMGateway):
    """The push counts its own attempts (and records them on D365PushJob), so the gateway sends each
    attempt once; it still refreshes an expired token once, transparently."""

    MAX_RETRIES = 0


class D365Client:
    MAX_ATTEMPTS = 3
    BACKOFF_BASE_SECONDS = 2.0
    RETRY_AFTER_CAP_SECONDS = 300.0  # service protection asks for up to 5 minutes
    BATCH_LIMIT = 1000  # Dataverse: at most 1000 requests in one $batch
    BATCH_CONCURRENCY = 4  # parallel $batch requests (well below the 52 concurrent requests allowed)

    def __init__(self, gateway: ALMGateway, *, alternate_key: str, sleep=None, batch_limit: int | None = None):
        self.gateway, self.alternate_key = gateway, alternate_key
        self.sleep = sleep or (lambda seconds: backoff_sleep(seconds))
        self.batch_limit = batch_limit or self.BATCH_LIMIT
        self.org_url = gateway.profile.base_url.rstrip("/")

    # -- one lead -------------------------------------------------------------------------------------

    def upsert_lead(self, dto: LeadDTO, *, mode: str = "upsert") -> PushOutcome:
        """mode: upsert (create or update), create (If-None-Match: * -> 412 if it exists), update
        (If-Match: * -> 404 if it does not). Returns the outcome; `error` set when every attempt failed."""
        outcome = PushOutcome(key=dto.key)
        headers = {"Prefer": "return=representation"}
        if mode == "create":
            headers["If-None-Match"] = "*"
        elif mode == "update":
            headers["If-Match"] = "*"
        path = f"{API}/{mapping.upsert_path(self.alternate_key, dto.key)}"
        while True:
            outcome.attempts += 1
            try:
                response = self._call(
                    "PATCH", path, json_body=dto.fields, headers=headers, params={"$select": "leadid"}
                )
                self._raise_for_status(
                    response.status_code, response.json() if response.content else None, response.headers
                )
                body = response.json() if response.content else {}
                outcome.d365_lead_id = (body or {}).get("leadid") or mapping.lead_id_from_entity_id(
                    response.headers.get("OData-EntityId")
                )
                outcome.created = {201: True, 200: False}.get(response.status_code)
                outcome.error = None
                return outcome
            except D365Error as exc:
                outcome.error = exc
                if not exc.retryable or outcome.attempts >= self.MAX_ATTEMPTS:
                    return outcome
                self.sleep(self._wait(outcome.attempts, exc.retry_after))

    # -- many leads ---------------------------------------------------------------------------------

    def upsert_many(self, dtos: list[LeadDTO]) -> list[PushOutcome]:
        """Chunks of up to `batch_limit` upserts per $batch request, at most BATCH_CONCURRENCY requests at
        once. Within a batch each change is independent (odata.continue-on-error): one bad lead fails
        alone; parts that failed retryably are sent again in the next attempt."""
        chunks = [dtos[i : i + self.batch_limit] for i in range(0, len(dtos), self.batch_limit)]
        if len(chunks) <= 1:
            return self._batch_with_retries(chunks[0]) if chunks else []
        contexts = [copy_context() for _ in chunks]  # tenant scope follows into the worker threads
        with ThreadPoolExecutor(max_workers=min(self.BATCH_CONCURRENCY, len(chunks))) as pool:
            results = pool.map(lambda pair: pair[0].run(self._batch_with_retries, pair[1]), zip(contexts, chunks))
            return [outcome for chunk in results for outcome in chunk]

    def _batch_with_retries(self, dtos: list[LeadDTO]) -> list[PushOutcome]:
        outcomes = {dto.key: PushOutcome(key=dto.key) for dto in dtos}
        pending = list(dtos)
        attempt = 0
        while pending:
            attempt += 1
            retry_after = None
            for dto in pending:
                outcomes[dto.key].attempts = attempt
            try:
                results = self._send_batch(pending)
            except D365Error as exc:  # the whole request failed (throttled, down, auth)
                results = [exc] * len(pending)
            still = []
            for dto, result in zip(pending, results):
                outcome = outcomes[dto.key]
                if isinstance(result, D365Error):
                    outcome.error = result
                    if result.retryable:
                        still.append(dto)
                        retry_after = max(retry_after or 0, result.retry_after or 0) or retry_after
                else:
                    outcome.d365_lead_id, outcome.error = result, None
            if not still or attempt >= self.MAX_ATTEMPTS:
                break
            pending = still
            self.sleep(self._wait(attempt, retry_after))
        return [outcomes[dto.key] for dto in dtos]

    def _send_batch(self, dtos: list[LeadDTO]) -> list:
        boundary = f"batch_{uuid.uuid4()}"
        parts = []
        for index, dto in enumerate(dtos, start=1):
            url = f"{self.org_url}{API}/{mapping.upsert_path(self.alternate_key, dto.key)}"
            parts.append(
                f"--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                f"Content-ID: {index}\r\n\r\nPATCH {url} HTTP/1.1\r\n"
                f"Content-Type: application/json; type=entry\r\n\r\n{json.dumps(dto.fields)}\r\n"
            )
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        response = self._call(
            "POST",
            f"{API}/$batch",
            raw_body=body,
            content_type=f"multipart/mixed; boundary={boundary}",
            headers={"Prefer": "odata.continue-on-error"},
        )
        if response.status_code != 200:
            self._raise_for_status(response.status_code, _json_or_none(response.content), response.headers)
        answers = parse_batch_response(response.headers.get("Content-Type", ""), response.content)
        results = []
        for index in range(len(dtos)):
            if index >= len(answers):
                results.append(D365Error("The $batch answer is missing a part."))
                continue
            status, headers, body_doc = answers[index]
            try:
                self._raise_for_status(status, body_doc, headers)
                results.append(mapping.lead_id_from_entity_id(headers.get("odata-entityid")))
            except D365Error as exc:
                results.append(exc)
        return results

    # -- the parts ----------------------------------------------------------------------------------

    def _call(self, method, path, **kwargs):
        try:
            return self.gateway.request(method, path, **kwargs)
        except AuthenticationFailed as exc:
            raise D365AuthError(str(exc), status_code=exc.status_code) from None
        except UpstreamUnavailable as exc:
            if exc.status_code == 429:
                raise D365RateLimited(
                    "service protection limit reached (HTTP 429).", status_code=429, retry_after=exc.retry_after
                ) from None
            raise D365Error(str(exc), status_code=exc.status_code) from None
        except OutboundRateLimited as exc:
            raise D365RateLimited(str(exc)) from None
        except DestinationRefused as exc:
            raise D365ConfigurationError(str(exc)) from None
        except GatewayError as exc:  # circuit open and the like: worth another attempt later
            raise D365Error(str(exc), status_code=exc.status_code) from None

    def _raise_for_status(self, status: int, body, headers) -> None:
        if 200 <= status < 300:
            return
        message = _dataverse_message(body) or f"HTTP {status}"
        if status in (401, 403):
            raise D365AuthError(f"{message} (HTTP {status}).", status_code=status)
        if status == 429:
            raise D365RateLimited(
                f"{message} (HTTP 429).",
                status_code=429,
                retry_after=_seconds((headers or {}).get("Retry-After") or (headers or {}).get("retry-after")),
            )
        if status >= 500 or status == 408:
            raise D365Error(f"{message} (HTTP {status}).", status_code=status)
        raise D365ValidationError(f"{message} (HTTP {status}).", status_code=status)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after:
            return min(float(retry_after), self.RETRY_AFTER_CAP_SECONDS)
        return self.BACKOFF_BASE_SECONDS * (2 ** (attempt - 1))


def parse_batch_response(content_type: str, content: bytes) -> list[tuple[int, dict, object]]:
    """multipart/mixed $batch answer -> [(status, headers (lower-case), json body or None)] in order."""
    boundary = None
    for piece in content_type.split(";"):
        name, _, value = piece.strip().partition("=")
        if name.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        return []
    text = content.decode("utf-8", errors="replace")
    answers = []
    for part in text.split(f"--{boundary}")[1:]:
        if part.startswith("--"):
            break
        _mime_headers, _, http = part.lstrip("\r\n").partition("\r\n\r\n")
        head, _, body = http.partition("\r\n\r\n")
        lines = head.split("\r\n")
        try:
            status = int(lines[0].split(" ")[1])
        except (IndexError, ValueError):
            continue
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        answers.append((status, headers, _json_or_none(body.strip().encode())))
    return answers


def _json_or_none(content: bytes):
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _dataverse_message(body) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message") or "")[:300] or None
    return None


def _seconds(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
