"""Work spread over the machine's cores with forked workers; results in input order."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # prctl(2)
MIN_ITEMS = 200  # below this, starting workers costs more than it saves


def worker_count() -> int:
    """Cores this process may use; `SITEGEN_WORKERS` overrides (1 turns workers off)."""
    configured = os.environ.get("SITEGEN_WORKERS")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def parallel_map(
    function: Callable[[T], R],
    items: Sequence[T],
    min_items: int = MIN_ITEMS,
    finished: Callable[[int], None] | None = None,
) -> list[R]:
    """`[function(item) for item in items]`, in forked workers when that pays.

    Workers inherit the parent's memory through fork, so `function` reads large
    shared state from module globals set before the call; only items and
    results cross between processes. `finished(i)` is called in this process as the
    result of `items[i]` arrives, in order.
    """
    workers = min(worker_count(), len(items))
    if workers < 2 or len(items) < min_items:
        return _reported(map(function, items), finished)
    # Imported only here: a small rebuild never starts workers, and importing them was a
    # fortieth of a second of its start.
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return _reported(map(function, items), finished)
    chunk = max(1, len(items) // (workers * 32))
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        if finished is None:
            return pool.map(function, items, chunksize=chunk)
        return _reported(pool.imap(function, items, chunksize=chunk), finished)


def _reported(results: Iterable[R], finished: Callable[[int], None] | None) -> list[R]:
    if finished is None:
        return list(results)
    made = []
    for index, result in enumerate(results):
        made.append(result)
        finished(index)
    return made


def _start_worker(parent: int) -> None:
    """Ctrl-C is the parent's to handle; workers end with the pool, or with the parent
    when it is killed: a worker must not go on writing files after its build is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # killed before the request above was made
        os._exit(1)


def _die_with_parent() -> None:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    return [items[i : i + size] for i in range(0, len(items), size)]
