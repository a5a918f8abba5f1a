"""Percentiles of latencies in milliseconds, computed one way everywhere in the benchmark."""

from __future__ import annotations

import statistics


def percentile(values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the samples lie (inclusive method: never beyond the largest)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(fraction * 100) - 1]


def summary(values: list[float]) -> dict:
    """p50, p95 and max of a list of latencies; None for each when there are none."""
    return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95), "max": max(values, default=None)}
