"""Who receives the outbox's events. A subscriber is `fn(envelope: dict) -> None`, registered once at import
time (the webhook fan-out registers itself here).

The contract (docs/decisions.md "Transactional outbox"):
- it is called inside the event's tenant scope, within a savepoint of the publisher's transaction: its own
  database writes commit together with the event's `published_at`, or not at all. It must not commit or
  roll back the session itself;
- it is called at least once per event and may be called again with the same envelope (a publisher killed
  after the call but before its commit): it must be idempotent on `envelope["id"]`;
- raising makes the event (and the later events of its aggregate) wait and retry with backoff; every
  subscriber is then called again, so the others must be idempotent too.
"""

from collections.abc import Callable

Subscriber = Callable[[dict], None]
_SUBSCRIBERS: list[Subscriber] = []


def register(fn: Subscriber) -> Subscriber:
    """Usable as a decorator. Registering the same function twice keeps one."""
    if fn not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(fn)
    return fn


def unregister(fn: Subscriber) -> None:
    if fn in _SUBSCRIBERS:
        _SUBSCRIBERS.remove(fn)


def all() -> tuple[Subscriber, ...]:  # the registry's agreed name (shadows the builtin here only)
    return tuple(_SUBSCRIBERS)
