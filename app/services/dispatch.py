"""Starting background work without knowing Celery: a service calls `enqueue("run_job", ...)` and the task
layer, wired at start-up (app/tasks/__init__.py), decides how it runs — on a worker through the broker, or
eagerly in-process when no broker is configured. Services therefore never import app.tasks, and the
import graph keeps one direction (services <- tasks)."""

from collections.abc import Callable

_SENDERS: dict[str, Callable] = {}
_LATER: dict[str, Callable] = {}


def wire(name: str, send: Callable, send_later: Callable | None = None) -> None:
    """Called once per task name by the task layer; `send(*args)` queues the task, `send_later(seconds,
    *args)` queues it to run no earlier than `seconds` from now (a countdown, not a sleeping worker)."""
    _SENDERS[name] = send
    if send_later is not None:
        _LATER[name] = send_later


def enqueue(name: str, *args) -> None:
    try:
        send = _SENDERS[name]
    except KeyError:
        raise LookupError(f"background task {name!r} is not wired; is app.tasks initialised?") from None
    send(*args)


def enqueue_later(name: str, seconds: float, *args) -> None:
    try:
        send = _LATER[name]
    except KeyError:
        raise LookupError(f"background task {name!r} has no delayed sender wired") from None
    send(seconds, *args)
