"""Bounded concurrency for outbound calls: at most `limit` calls in flight, each on a worker thread running
in a copy of the caller's context (the tenant scope and the clock follow), results handed back on the
caller's thread as they complete, so only the caller touches the database session.

Closing the iterator early (an outage: no point sending the rest) cancels what has not started and waits
for what is in flight; the connection's outbound rate budget (outbound_limit.py) still applies per call."""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
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
    raised on a worker thread where nobody would see them. Once `stop()` is true no further item starts;
    the calls in flight still complete and are yielded, so the caller records what really happened."""
    items = list(items)
    if not items:
        return
    limit = max(1, min(int(limit), len(items)))
    pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="outbound")
    pending = {}
    queue = iter(enumerate(items))

    def submit_next() -> bool:
        if stop():
            return False
        try:
            index, item = next(queue)
        except StopIteration:
            return False
        context = copy_context()
        pending[pool.submit(context.run, fn, item)] = (index, item)
        return True

    try:
        for _ in range(limit):
            submit_next()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            done = []
            for future in finished:  # refill the pool first: the workers never wait for the caller
                index, item = pending.pop(future)
                error = future.exception()
                done.append(Done(index, item, None if error else future.result(), error))
                submit_next()
            yield from done
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
