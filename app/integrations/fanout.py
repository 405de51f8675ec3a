"""Bounded concurrency for outbound calls: at most `limit` calls in flight, each on a worker thread running
in a copy of the caller's context (the tenant scope and the clock follow), results handed back on the
caller's thread as they complete, so only the caller touches the database session.

A worker that finishes starts the next call itself, so the calls keep flowing while the caller writes the
answers it already has. Once `stop()` is true (an outage: no point sending the rest) nothing new starts;
the calls in flight complete and are handed back. The connection's outbound rate budget
(outbound_limit.py) still applies per call."""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass


@dataclass
class Done:
    index: int
    item: object
    result: object = None
    error: BaseException | None = None


def bounded(fn: Callable, items: Iterable, limit: int, stop: Callable[[], bool] = lambda: False) -> Iterator[Done]:
    """Yields a Done per item started, in completion order. Exceptions of `fn` come back in `error`, never
    raised on a worker thread where nobody would see them."""
    pending = iter(enumerate(list(items)))
    results: queue.Queue = queue.Queue()
    guard = threading.Lock()
    state = {"started": 0, "closed": False}
    pool = ThreadPoolExecutor(max_workers=max(1, int(limit)), thread_name_prefix="outbound")

    def start_next() -> None:
        with guard:
            if state["closed"] or stop():
                return
            following = next(pending, None)
            if following is None:
                return
            state["started"] += 1
            pool.submit(copy_context().run, run, *following)

    def run(index, item) -> None:
        try:
            done = Done(index, item, fn(item))
        except BaseException as exc:  # handed to the caller, who decides
            done = Done(index, item, error=exc)
        start_next()  # counted before the answer is handed over, so the caller never stops one short
        results.put(done)

    try:
        for _ in range(max(1, int(limit))):
            start_next()
        handed = 0
        while handed < state["started"]:
            yield results.get()
            handed += 1
    finally:
        with guard:
            state["closed"] = True
        pool.shutdown(wait=True)
