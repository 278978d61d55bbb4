"""Progress inside long stages, for the person at the terminal (``make run``).

Grain: one :class:`Progress` per long loop (dbt models built, training folds, accounts
scored). It writes to the process's real standard error, which the CLI leaves on the
terminal while the stages' logs go to files: a live bar (tqdm) on a terminal, and on
anything else (CI, a pipe, a log collector) plain lines at the start, every tenth and
the end, so a log is not flooded with carriage returns.

No Dagster here: ``ml/`` reports training folds through it too.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Self, TextIO

# REALPEOPLE_PROGRESS=0 silences it (e.g. in tests that read the terminal output).
_ENV = "REALPEOPLE_PROGRESS"


class Progress:
    """``with Progress("dbt models", total=38) as bar: ... bar.advance()``"""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, unit: str = ""):
        self.label, self.total, self.unit = label, max(int(total), 0), unit
        self.done = 0
        self.stream = stream if stream is not None else sys.__stderr__
        self.enabled = os.environ.get(_ENV, "1") != "0" and self.stream is not None
        self.started = time.perf_counter()
        self._bar = None
        self._next_line = 0
        if not self.enabled:
            return
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total or None,
                desc=f"    {label}",
                unit=unit or "it",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
            )
        else:
            self._line()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
        elif self.total and self.done >= self._next_line:
            self._line()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        seconds = time.perf_counter() - self.started
        print(
            f"    {self.label}: {self.done}/{self.total} {self.unit}".rstrip()
            + f" in {seconds:.1f} s",
            file=self.stream,
            flush=True,
        )
        self.enabled = False

    def _line(self) -> None:
        print(
            f"    {self.label}: {self.done}/{self.total} {self.unit}".rstrip(),
            file=self.stream,
            flush=True,
        )
        step = max(self.total // 10, 1)
        self._next_line = (self.done // step + 1) * step

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
