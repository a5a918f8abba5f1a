"""Percentiles of latencies in milliseconds, computed one way everywhere in the benchmark, and the figures of a run of
the mix made of them."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.load import QueryStats, Tally


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


def query_figures(stats: QueryStats) -> dict:
    """One request of the mix: its latencies' summary and its answers counted by kind."""
    return {
        **summary(stats.latencies),
        "answered": len(stats.latencies),
        "incomplete": stats.incomplete,
        "throttled": stats.throttled,
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
    }


def mix_figures(tally: Tally) -> dict:
    """A run of the mix on one server: per query figures, wall time, and whether every planned request was sent."""
    queries = tally.queries()
    answered = sum(len(stats.latencies) for stats in queries.values())
    return {
        "queries": {name: query_figures(stats) for name, stats in queries.items()},
        "all": summary([ms for stats in queries.values() for ms in stats.latencies]),
        "seconds": tally.seconds,
        "planned": tally.planned,
        "sent": tally.sent,
        "answered": answered,
        "requests_per_second": answered / tally.seconds if tally.seconds else None,
        "incomplete": sum(stats.incomplete for stats in queries.values()),
        "throttled": sum(stats.throttled for stats in queries.values()),
        "errors": sum(sum(stats.errors.values()) for stats in queries.values()),
    }


def tail_figures(tally: Tally) -> dict:
    """The long tail on one server: every answer's latency together (each page was asked once), requests/s."""
    queries = tally.queries()
    latencies = [ms for stats in queries.values() for ms in stats.latencies]
    return {
        **summary(latencies),
        "answered": len(latencies),
        "seconds": tally.seconds,
        "sent": tally.sent,
        "requests_per_second": len(latencies) / tally.seconds if tally.seconds else None,
        "incomplete": sum(stats.incomplete for stats in queries.values()),
        "throttled": sum(stats.throttled for stats in queries.values()),
        "errors": sum(sum(stats.errors.values()) for stats in queries.values()),
    }
