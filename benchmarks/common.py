"""Interleaved ratio measurement: machines here are shared and noisy, so absolute times drift.

Baseline and candidate run in alternating batches within one process; each round gives one
ratio, and the median round is reported (with the median per-operation times).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypedDict


class BenchResult(TypedDict):
    name: str
    baseline: str
    ratio: float
    target: float
    baseline_us: float
    candidate_us: float


Batch = Callable[[], int]
"""Runs one batch of operations and returns how many it ran."""


def _time_batch(batch: Batch) -> float:
    start = time.perf_counter()
    count = batch()
    return (time.perf_counter() - start) / count


def interleaved(
    name: str,
    baseline_name: str,
    baseline: Batch,
    candidate: Batch,
    *,
    target: float,
    rounds: int = 15,
    setup: Callable[[], None] | None = None,
) -> BenchResult:
    """Median over ``rounds`` of candidate/baseline per-op time, batches alternating."""
    ratios: list[float] = []
    base_times: list[float] = []
    cand_times: list[float] = []
    for index in range(rounds):
        if setup is not None:
            setup()
        order = (baseline, candidate) if index % 2 == 0 else (candidate, baseline)
        times = {id(batch): _time_batch(batch) for batch in order}
        base, cand = times[id(baseline)], times[id(candidate)]
        base_times.append(base)
        cand_times.append(cand)
        ratios.append(cand / base)
    return BenchResult(
        name=name,
        baseline=baseline_name,
        ratio=round(statistics.median(ratios), 3),
        target=target,
        baseline_us=round(statistics.median(base_times) * 1e6, 3),
        candidate_us=round(statistics.median(cand_times) * 1e6, 3),
    )
