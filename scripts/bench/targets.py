"""The targets of issue #6 and of the load-isolation check, each with the value measured and PASS or MISS."""

from __future__ import annotations

from dataclasses import dataclass

GIB = 2**30
BUILD_RATIO = 3.0  # the whole build against the plain load of the same raw rows
BUILD_MEMORY = 2 * GIB
BASELINE_RATIO = 10.0  # the baseline's p95 over the portal's, facet and filter pages of the largest tables
SQLITE_RATIO = 2.0  # the portal's p95 over the same SQL run directly in SQLite
P95_CEILING_MS = 500.0  # every request of the mix on the portal
ISOLATION_RATIO = 2.0  # ordinary clients' p95 beside an abusive client, over their p95 alone
TARGET_KINDS = ("facets", "filtered")


@dataclass(frozen=True)
class Target:
    name: str
    measured: float | None
    goal: str
    ok: bool
    note: str = ""


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def _at_most(name: str, value: float | None, limit: float, goal: str, note: str = "") -> Target:
    return Target(name, value, goal, value is not None and value <= limit, note)


def evaluate(results: dict) -> list[Target]:
    """Every target, in the order of the issue."""
    build, plain = results["build"], results["plain"]
    found = [
        _at_most(
            "build time / plain load time",
            _ratio(build["seconds"], plain["seconds"]),
            BUILD_RATIO,
            f"≤ {BUILD_RATIO:g}",
        ),
        Target("build peak memory, GiB", build["peak_bytes"] / GIB, "< 2", build["peak_bytes"] < BUILD_MEMORY),
    ]
    portal, baseline = results["portal"]["queries"], results["baseline"]["queries"]
    direct = results["direct"]
    for query in results["mix"]["queries"]:
        if query["kind"] not in TARGET_KINDS:
            continue
        name = query["name"]
        speedup = _ratio(baseline[name]["p95"], portal[name]["p95"])
        found.append(
            Target(
                f"baseline p95 / portal p95: {name}",
                speedup,
                f"≥ {BASELINE_RATIO:g}",
                speedup is not None and speedup >= BASELINE_RATIO,
            )
        )
        found.append(
            _at_most(
                f"portal p95 / SQLite p95: {name}",
                _ratio(portal[name]["p95"], direct[name]["p95"]),
                SQLITE_RATIO,
                f"≤ {SQLITE_RATIO:g}",
            )
        )
    tail = results.get("long_tail")
    if tail:
        speedup = _ratio(tail["baseline"]["p95"], tail["portal"]["p95"])
        found.append(
            Target(
                f"long tail ({tail['pages']} pages, each once): baseline p95 / portal p95",
                speedup,
                f"≥ {BASELINE_RATIO:g}",
                speedup is not None and speedup >= BASELINE_RATIO,
            )
        )
        found.append(
            _at_most(
                f"long tail ({tail['pages']} pages, each once): portal p95 / SQLite p95",
                _ratio(tail["portal"]["p95"], tail["sqlite"]["p95"]),
                SQLITE_RATIO,
                f"≤ {SQLITE_RATIO:g}",
            )
        )
        found.append(Target("long tail: portal errors", tail["portal"]["errors"], "0", tail["portal"]["errors"] == 0))
    slowest = max(portal, key=lambda name: portal[name]["p95"] or float("inf"))
    found.append(
        _at_most(
            "slowest portal p95 in the mix, ms",
            portal[slowest]["p95"],
            P95_CEILING_MS,
            f"≤ {P95_CEILING_MS:g}",
            slowest,
        )
    )
    errors = results["portal"]["errors"]
    found.append(
        Target(
            "portal errors",
            errors,
            "0",
            errors == 0,
            f"{results['portal']['throttled']} answers 429, waited out and asked again; "
            f"{results['portal']['incomplete']} answers left out a facet",
        )
    )
    isolation = results["isolation"]["conditions"]
    for mode in ("heavy-sql", "flood"):
        found.append(
            _at_most(
                f"ordinary clients' p95 beside a {mode} client / alone",
                _ratio(isolation[mode]["p95"], isolation["alone"]["p95"]),
                ISOLATION_RATIO,
                f"≤ {ISOLATION_RATIO:g}",
            )
        )
    for mode, figures in results["shared"]["modes"].items():
        found.append(
            _at_most(
                f"shared address: users' share of answers 429 beside a {mode} client",
                figures["users_throttled"],
                0,
                "0",
            )
        )
        found.append(
            Target(
                f"shared address: the {mode} client's share of answers 429",
                figures["abuser_throttled"],
                "> 0.5",
                (figures["abuser_throttled"] or 0) > 0.5,
            )
        )
    server_errors = results["isolation"]["server_errors"]
    found.append(Target("5xx answers during the isolation test", server_errors, "0", server_errors == 0))
    return found
