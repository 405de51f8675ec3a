"""Starting background work without knowing Celery: a service calls `enqueue("run_job", ...)` and the task
layer, wired at start-up (app/tasks/__init__.py), decides how it runs — on a worker through the broker, or
eagerly in-process when no broker is configured. Services therefore never import app.tasks, and the
import graph keeps one direction (services <- tasks)."""

from collections.abc import Callable

_SENDERS: dict[str, Callable] = {}


def wire(name: str, send: Callable) -> None:
    """Called once per task name by the task layer; `send(*args)` queues the task."""
    _SENDERS[name] = send


def enqueue(name: str, *args) -> None:
    try:
        send = _SENDERS[name]
    except KeyError:
        raise LookupError(f"background task {name!r} is not wired; is app.tasks initialised?") from None
    send(*args)
