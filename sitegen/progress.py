"""How far a long build has got: a bar in a terminal, nothing elsewhere.

The pipeline reports `(stage, done, total)` through a plain callable, as its work comes
back from the workers; only the command line and the preview server draw it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence, Sized
from typing import IO, Any

Progress = Callable[[str, int, int], None]  # (stage, items done, items in the stage)

DELAY = 0.5  # seconds a stage runs before its bar shows: a small rebuild prints nothing
# What each stage counts; the others count output files.
UNITS = {"related posts": " articles", "cards": " cards", "search index": " pages"}


def silent(stage: str, done: int, total: int) -> None:
    """The report of a build nobody watches."""


def batches_done(
    progress: Progress, stage: str, batches: Sequence[Sized]
) -> Callable[[int], None] | None:
    """A `finished(i)` for `parallel_map` that reports the items of `batches[i]` as done;
    the stage is reported as begun now, so that its bar tells the time from its start."""
    if progress is silent:
        return None
    total = sum(map(len, batches))
    done = 0
    if total:
        progress(stage, 0, total)

    def finished(index: int) -> None:
        nonlocal done
        done += len(batches[index])
        progress(stage, done, total)

    return finished


class Bar:
    """One tqdm bar per stage on a terminal, replaced by the next stage's and cleared at
    the end, so that the build's own summary line is all that stays."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._stage = ""
        self._since = 0.0
        self._bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage, self._since = stage, time.monotonic()
        if self._bar is None:
            # Made once the stage has run DELAY seconds, not made with tqdm's own delay:
            # a line printed above the bars (above_bars) draws every bar tqdm has again,
            # and drew one due later.
            if time.monotonic() - self._since < DELAY:
                return
            from tqdm import tqdm  # only a build on a terminal pays for the import

            self._bar = tqdm(
                desc=stage,
                total=total,
                initial=done,
                unit=UNITS.get(stage, " files"),
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
            )
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar, self._stage = None, ""


@contextlib.contextmanager
def on_terminal(stream: IO[str] | None) -> Iterator[Progress]:
    """Bars on `stream` while the block runs, if a person is watching it; else `silent`
    (and for no stream: a quiet command's)."""
    isatty = getattr(stream, "isatty", None)
    if stream is None or isatty is None or not isatty():
        yield silent
        return
    bar = Bar(stream)
    try:
        yield bar
    finally:
        bar.close()


@contextlib.contextmanager
def above_bars(stream: IO[str]) -> Iterator[None]:
    """Around a line printed to a terminal where another thread may be drawing a bar: the
    bars are cleared first and drawn again after, so that the line never lands inside one."""
    tqdm = sys.modules.get("tqdm")  # imported by the first bar: none was drawn without it
    if tqdm is None:
        yield
        return
    with tqdm.tqdm.external_write_mode(file=stream):
        yield
