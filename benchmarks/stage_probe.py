"""Run ``python -m realpeople run`` and record, per Dagster run it launches, the wall time
and the peak resident memory of the whole process tree (dbt runs as a subprocess).

Used by ``benchmarks/daily_run.py`` in a child process; writes a JSON list to the path in
``REALPEOPLE_STAGE_PROBE``. A sampler thread reads the tree's RSS every 0.1 s (psutil), so
a peak shorter than that can be missed; the process's own ``ru_maxrss`` is the backstop.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time

import psutil


class TreeSampler:
    """Peak RSS of this process and its children while the block runs."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass  # gone between listing and reading
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def step_seconds(result) -> dict[str, float]:
    """Seconds per step (one asset, or an asset with its checks) of a finished run."""
    return {
        event.step_key: round(event.event_specific_data.duration_ms / 1000, 2)
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS"
    }


def main() -> int:
    from realpeople import cli

    stages: list[dict] = []
    original = cli._execute

    def probed(defs, job_name, instance, partition_key=None, **kwargs):
        with TreeSampler() as sampler:
            started = time.perf_counter()
            outcome = original(defs, job_name, instance, partition_key, **kwargs)
        stages.append(
            {
                "job": job_name,
                "partition": partition_key,
                "seconds": round(time.perf_counter() - started, 2),
                "peak_rss_gb": round(sampler.peak / 1e9, 3),
                "steps": step_seconds(outcome[0]),
            }
        )
        return outcome

    cli._execute = probed
    started = time.perf_counter()
    code = cli.main(["run"])
    with open(os.environ["REALPEOPLE_STAGE_PROBE"], "w", encoding="utf-8") as out:
        json.dump(
            {
                "exit_code": code,
                "seconds": round(time.perf_counter() - started, 2),
                "max_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 3),
                "stages": stages,
            },
            out,
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
