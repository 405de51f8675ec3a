"""The Dataverse Web API client for leads (seed 003 §2.3): upsert by alternate key, one at a time or in
$batch requests, through the ALMGateway (the one door out). The gateway owns tokens (one refresh on 401),
destinations, the breaker and the call log; this client owns the push's policy:

- the record id: an upsert by alternate key answers 204 with OData-EntityId in the KEY form
  (leads(new_meridiandomain='acme.com')), for create and update alike, so the client asks for
  `Prefer: return=representation` with `$select=leadid` (201/200 and the id) and, where an answer still
  carries no id, reads it back by key ("Use Upsert to Create or Update a record");
- batches of `chunk_size` (default 100: Microsoft advises small batches and counts their execution time
  against the service protection limits), a few in flight, `Prefer: odata.continue-on-error` so one bad
  lead fails alone; answers read with the MIME parser, and a count that does not match the requests makes
  the whole chunk's outcome unknown;
- an unknown outcome (timeout, 5xx, unreadable answer) is never resent blindly: the leads are read back by
  key and only those Dataverse does not hold as sent go again;
- 3 attempts with exponential backoff for what can succeed later; a 429 is not waited out here: the
  outcome carries D365RateLimited and the push job is rescheduled after Retry-After.
"""

import json
import time

from app.integrations import fanout
from app.integrations.alm_gateway import ALMGateway
from app.integrations.d365 import batch, mapping
from app.integrations.d365.connector import API
from app.integrations.d365.dto import LeadDTO, PushOutcome
from app.integrations.d365.errors import (
    D365AuthError,
    D365ConfigurationError,
    D365Error,
    D365OutcomeUnknown,
    D365RateLimited,
    D365ValidationError,
)
from app.integrations.errors import (
    AuthenticationFailed,
    DestinationRefused,
    GatewayError,
    OutboundRateLimited,
    Throttled,
    UpstreamUnavailable,
)

OWN_BUDGET_WAIT_SECONDS = 10.0  # our own outbound budget is spent: try the job again shortly


def backoff_sleep(seconds: float) -> None:
    """The wait between push attempts; a module function so tests replace it (no wall-clock sleeps)."""
    time.sleep(seconds)


class SingleAttemptGateway(ALMGateway):
    """The push counts its own attempts (and records them on D365PushJob) and must not resend a batch whose
    outcome is unknown, so the gateway sends each attempt once; it still refreshes an expired token once."""

    MAX_RETRIES = 0


class D365Client:
    MAX_ATTEMPTS = 3
    BACKOFF_BASE_SECONDS = 2.0
    DEFAULT_CHUNK_SIZE = 100
    MAX_CHUNK_SIZE = 1000  # Dataverse: at most 1000 requests in one $batch
    BATCH_CONCURRENCY = 4  # parallel $batch requests, far below the 52 concurrent requests allowed

    def __init__(
        self,
        gateway: ALMGateway,
        *,
        alternate_key: str,
        sleep=None,
        chunk_size: int | None = None,
        concurrency: int | None = None,
    ):
        self.gateway, self.alternate_key = gateway, alternate_key
        self.sleep = sleep or (lambda seconds: backoff_sleep(seconds))
        self.chunk_size = max(1, min(int(chunk_size or self.DEFAULT_CHUNK_SIZE), self.MAX_CHUNK_SIZE))
        self.concurrency = concurrency or self.BATCH_CONCURRENCY

    # -- one lead -------------------------------------------------------------------------------------

    def upsert_lead(self, dto: LeadDTO, *, mode: str = "upsert") -> PushOutcome:
        """mode: upsert (create or update), create (If-None-Match: * -> 412 if it exists), update
        (If-Match: * -> 404 if it does not). A PATCH by key is idempotent, so a failed attempt may be sent
        again; a 429 ends the attempts (the job waits, not this thread)."""
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
                body = _json_or_none(response.content)
                self._raise_for_status(response.status_code, body, response.headers)
                lead_id = self._lead_id(body, response.headers.get("OData-EntityId"))
                if lead_id is None:
                    lead_id = self._read_ids([dto]).get(dto.key, {}).get("leadid")
                if lead_id is None:
                    raise D365Error("Dynamics 365 accepted the lead, but its id could not be read back.")
                outcome.d365_lead_id, outcome.error = lead_id, None
                outcome.created = {201: True, 200: False}.get(response.status_code)
                return outcome
            except D365Error as exc:
                outcome.error = exc
                if isinstance(exc, D365RateLimited) or not exc.retryable or outcome.attempts >= self.MAX_ATTEMPTS:
                    return outcome
                self.sleep(self._wait(outcome.attempts))

    # -- many leads ---------------------------------------------------------------------------------

    def upsert_many(self, dtos: list[LeadDTO]) -> list[PushOutcome]:
        """Chunks of `chunk_size` upserts per $batch, at most BATCH_CONCURRENCY in flight; outcomes in the
        order of `dtos`."""
        chunks = [dtos[i : i + self.chunk_size] for i in range(0, len(dtos), self.chunk_size)]
        done = {item.index: item for item in fanout.bounded(self._chunk_with_retries, chunks, self.concurrency)}
        outcomes = []
        for index in range(len(chunks)):
            if done[index].error is not None:
                raise done[index].error
            outcomes.extend(done[index].result)
        return outcomes

    def _chunk_with_retries(self, dtos: list[LeadDTO]) -> list[PushOutcome]:
        outcomes = {dto.key: PushOutcome(key=dto.key) for dto in dtos}
        pending = list(dtos)
        for attempt in range(1, self.MAX_ATTEMPTS + 1):
            for dto in pending:
                outcomes[dto.key].attempts = attempt
            try:
                results = self._send_batch(pending)
            except D365OutcomeUnknown as exc:
                results = self._reconcile(pending, exc)
            except D365Error as exc:  # the whole request was refused (throttled, auth, configuration)
                results = [exc] * len(pending)
            still, throttled = [], None
            for dto, result in zip(pending, results):
                outcome = outcomes[dto.key]
                if isinstance(result, D365Error):
                    outcome.error = result
                    throttled = result if isinstance(result, D365RateLimited) else throttled
                    if result.retryable:
                        still.append(dto)
                else:
                    outcome.d365_lead_id, outcome.error = result, None
            if throttled is not None:  # the rest of this chunk waits with the job, not on this thread
                for dto in still:
                    outcomes[dto.key].error = throttled
                break
            if not still or attempt == self.MAX_ATTEMPTS:
                break
            pending = still
            self.sleep(self._wait(attempt))
        return [outcomes[dto.key] for dto in dtos]

    def batch_body(self, dtos: list[LeadDTO], boundary: str) -> bytes:
        parts = []
        for dto in dtos:
            target = f"{API}/{mapping.upsert_path(self.alternate_key, dto.key)}?$select=leadid"
            headers = {"Content-Type": "application/json; type=entry", "Prefer": "return=representation"}
            body = json.dumps(dto.fields).encode()
            parts.append(batch.application_http(batch.http_request("PATCH", target, headers, body)))
        return batch.multipart(boundary, parts)

    def _send_batch(self, dtos: list[LeadDTO]) -> list:
        """One $batch: per lead its id (str) or a D365Error. Raises D365OutcomeUnknown when the answer does
        not say, one to one, what happened to each request."""
        boundary = batch.new_boundary()
        try:
            response = self._call(
                "POST",
                f"{API}/$batch",
                raw_body=self.batch_body(dtos, boundary),
                content_type=batch.content_type(boundary),
                headers={"Prefer": "odata.continue-on-error"},
            )
        except D365Error as exc:
            if type(exc) is D365Error and (exc.status_code is None or exc.status_code >= 500 or exc.status_code == 408):
                raise D365OutcomeUnknown(exc.detail, status_code=exc.status_code) from None
            raise
        kind = response.headers.get("Content-Type", "")
        if response.status_code != 200:
            if kind.startswith("multipart/"):  # processing stopped at a failure: what ran before is unknown
                raise D365OutcomeUnknown(f"the batch stopped early (HTTP {response.status_code}).")
            self._raise_for_status(response.status_code, _json_or_none(response.content), response.headers)
        try:
            answers = batch.parse_multipart(kind, response.content)
        except batch.MalformedBatch as exc:
            raise D365OutcomeUnknown(f"the $batch answer could not be read ({exc}).") from None
        if len(answers) != len(dtos):
            raise D365OutcomeUnknown(f"the $batch answer has {len(answers)} parts for {len(dtos)} requests.")
        results, missing = [], []
        for dto, answer in zip(dtos, answers):
            try:
                body = answer.json()
                self._raise_for_status(answer.status, body, answer.headers)
                results.append(self._lead_id(body, answer.header("OData-EntityId")))
                if results[-1] is None:
                    missing.append(dto)
            except D365Error as exc:
                results.append(exc)
        if missing:  # accepted, but the answer carried no id: read them back by key
            found = self._read_ids(missing)
            unread = D365Error("Dynamics 365 accepted the lead, but its id could not be read back.")
            results = [
                (found.get(dto.key, {}).get("leadid") or unread) if result is None else result
                for dto, result in zip(dtos, results)
            ]
        return results

    def _reconcile(self, dtos: list[LeadDTO], unknown: D365OutcomeUnknown) -> list:
        """After an unknown outcome: leads Dataverse holds exactly as sent are done (their id); the others
        keep the error and are sent again by the next attempt."""
        try:
            found = self._read_ids(dtos, columns=True)
        except D365Error:
            return [unknown] * len(dtos)
        results = []
        for dto in dtos:
            record = found.get(dto.key)
            same = record is not None and all(record.get(name) == value for name, value in dto.fields.items())
            results.append(record["leadid"] if same else unknown)
        return results

    def _read_ids(self, dtos: list[LeadDTO], columns: bool = False) -> dict:
        """{key: record} for the leads Dataverse holds, by alternate key (one GET per 50 keys)."""
        found = {}
        for start in range(0, len(dtos), 50):
            some = dtos[start : start + 50]
            select = ["leadid", self.alternate_key]
            if columns:
                select += sorted({name for dto in some for name in dto.fields} - set(select))
            where = " or ".join(f"{self.alternate_key} eq '{_literal(dto.key)}'" for dto in some)
            response = self._call("GET", f"{API}/leads", params={"$select": ",".join(select), "$filter": where})
            body = _json_or_none(response.content)
            self._raise_for_status(response.status_code, body, response.headers)
            for record in (body or {}).get("value", []):
                found[record.get(self.alternate_key)] = record
        return found

    # -- the parts ----------------------------------------------------------------------------------

    @staticmethod
    def _lead_id(body, entity_id: str | None) -> str | None:
        """From the representation, else from a GUID-form OData-EntityId; None for the key form."""
        if isinstance(body, dict) and body.get("leadid"):
            return str(body["leadid"])
        return mapping.lead_id_from_entity_id(entity_id)

    def _call(self, method, path, **kwargs):
        try:
            return self.gateway.request(method, path, **kwargs)
        except Throttled as exc:
            raise D365RateLimited(
                "service protection limit reached (HTTP 429).", status_code=429, retry_after=exc.retry_after
            ) from None
        except AuthenticationFailed as exc:
            raise D365AuthError(str(exc), status_code=exc.status_code) from None
        except UpstreamUnavailable as exc:
            raise D365Error(str(exc), status_code=exc.status_code) from None
        except OutboundRateLimited as exc:
            raise D365RateLimited(str(exc), retry_after=OWN_BUDGET_WAIT_SECONDS) from None
        except DestinationRefused as exc:
            raise D365ConfigurationError(str(exc)) from None
        except GatewayError as exc:  # circuit open and the like: worth another attempt later
            raise D365Error(str(exc), status_code=exc.status_code) from None

    def _raise_for_status(self, status: int, body, headers) -> None:
        if 200 <= status < 300:
            return
        message = _dataverse_message(body) or f"HTTP {status}"
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        if status in (401, 403):
            raise D365AuthError(f"{message} (HTTP {status}).", status_code=status)
        if status == 429:
            raise D365RateLimited(
                f"{message} (HTTP 429).", status_code=429, retry_after=_seconds(headers.get("retry-after"))
            )
        if status >= 500 or status == 408:
            raise D365Error(f"{message} (HTTP {status}).", status_code=status)
        raise D365ValidationError(f"{message} (HTTP {status}).", status_code=status)

    def _wait(self, attempt: int) -> float:
        return self.BACKOFF_BASE_SECONDS * (2 ** (attempt - 1))


def _literal(value: str) -> str:
    return value.replace("'", "''")


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
