"""One benchmark run, from the cached sample to the report, every step on the same data."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from plugins import facet_counts, page_cache
from scripts.bench import benchmarks_page as report
from scripts.bench import long_tail
from scripts.bench.build_time import time_build, time_plain_load
from scripts.bench.direct import run_direct
from scripts.bench.isolation import measure_isolation, ordinary_paths
from scripts.bench.machine import describe
from scripts.bench.mix import Query, build_mix, deep_page
from scripts.bench.naive import naive_database
from scripts.bench.sample import data_dir
from scripts.bench.servers import START_SECONDS, baseline_command, client_tokens, portal_command
from scripts.bench.shared import measure_shared
from scripts.bench.stats import mix_figures, summary, tail_figures
from scripts.bench.targets import TARGET_KINDS
from scripts.load import Request, Tally, run_now
from scripts.serve.loopback import serving


@dataclass(frozen=True)
class Options:
    scale: str
    work: Path
    out: Path
    clients: int = 4
    rounds: int = 8  # passes of the mix per client and server
    max_seconds: float = 300  # per server, for the whole mix
    isolation_rounds: int = 4
    window_seconds: float = 2.0
    shared_seconds: float = 15.0  # per abuse, beside the users of a shared address
    tail_pages: int = 600  # distinct pages of the long tail


REQUEST_TIMEOUT = 60  # seconds per request: generous, since a slow answer is a figure of the benchmark, not an error


def _requests(queries: list[Query], server: str, base: str, headers: dict) -> list[Request]:
    """The mix as `server` is asked it, the deep page found by following `next` on that server."""
    with httpx.Client(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT) as client:

        def get_json(path: str) -> dict:
            response = client.get(path)
            response.raise_for_status()
            return response.json()

        return [
            Request(
                query.name,
                deep_page(get_json, getattr(query, server)) if query.kind == "deep" else getattr(query, server),
            )
            for query in queries
        ]


def facets_timed_out(path: str, release: str | None, response: httpx.Response) -> str | None:
    """Whether a table page left out a facet that ran past its time limit (Datasette says so in the page or JSON):
    such a 200 is counted as answered, and apart as incomplete."""
    if b'class="facets-timed-out"' in response.content or b'"facets_timed_out": ["' in response.content:
        return "a facet timed out"
    return None


def _long_tail(servers: dict, tail: list[Query], options: Options) -> dict:
    """Every page of the long tail asked once of each server, the list split among the clients (each starts where
    the one before stops, and asks as many), the servers one after the other."""
    per_client = -(-len(tail) // options.clients)
    found = {}
    for name, (base, keys) in servers.items():
        requests = [Request(query.name, getattr(query, name)) for query in tail]
        tally = run_now(
            base,
            requests,
            clients=options.clients,
            max_requests=per_client,
            seconds=options.max_seconds,
            tokens=keys,
            check=facets_timed_out,
            timeout=REQUEST_TIMEOUT,
        )
        found[name] = tail_figures(tally)
    return found


# What each of the portal's techniques for speed gains: the portal is served again without it, alone.
TECHNIQUES = {
    "facet_counts": ("the facet counts the build works out (plugins/facet_counts.py)", facet_counts.SWITCH),
    "page_cache": ("pages kept as rendered (plugins/page_cache.py)", page_cache.SWITCH),
}


def _first_passes(base: str, requests: list[Request], keys: list[str] | None, options: Options) -> Tally:
    """The first pass of the mix: one client alone (its latencies are the *first* column), then each other client
    once, uncounted, since a page is kept for the token that asked it (plugins/page_cache.py)."""
    first = run_now(
        base, requests, clients=1, rounds=1, seconds=options.max_seconds, tokens=keys, timeout=REQUEST_TIMEOUT
    )
    if keys and len(keys) > 1:
        run_now(
            base,
            requests,
            clients=len(keys) - 1,
            rounds=1,
            seconds=options.max_seconds,
            tokens=keys[1:],
            timeout=REQUEST_TIMEOUT,
        )
    return first


def _mix(base: str, requests: list[Request], keys: list[str] | None, options: Options, tally: Tally) -> None:
    """One round of the mix by every client, added to `tally`, within what is left of the time allowed."""
    left = options.max_seconds - tally.seconds
    if left > 0:
        tally.merge(
            run_now(
                base,
                requests,
                clients=options.clients,
                rounds=1,
                seconds=left,
                tokens=keys,
                check=facets_timed_out,
                timeout=REQUEST_TIMEOUT,
            )
        )


def _without(
    technique: str,
    options: Options,
    release: Path,
    state: Path,
    tokens: list[str],
    requests: list[Request],
    tail: list[Query],
) -> dict:
    """The mix and the long tail asked, as of the portal, of a fresh portal serving without `technique`."""
    switch = TECHNIQUES[technique][1]

    def command(port: int) -> list[str]:
        return ["env", f"{switch}=off", *portal_command(release, port, state / "tokens.db")]

    with serving(command, start_seconds=START_SECONDS, log=options.work / f"portal-without-{technique}.log") as base:
        _first_passes(base, requests, tokens, options)
        tally = Tally()
        for _ in range(options.rounds):
            _mix(base, requests, tokens, options, tally)
        return {"mix": mix_figures(tally), "long_tail": _long_tail({"portal": (base, tokens)}, tail, options)["portal"]}


def _serve_and_measure(
    options: Options, release: Path, naive_db: Path, queries: list[Query], state: Path, tail: list[Query]
) -> dict:
    tokens = client_tokens(state / "tokens.db", options.clients)

    with (
        serving(
            lambda port: portal_command(release, port, state / "tokens.db"),
            start_seconds=START_SECONDS,
            log=options.work / "portal-server.log",
        ) as portal,
        serving(
            lambda port: baseline_command(naive_db, port),
            start_seconds=START_SECONDS,
            log=options.work / "baseline-server.log",
        ) as baseline,
    ):
        servers = {"portal": (portal, tokens), "baseline": (baseline, None)}
        requests = {
            name: _requests(queries, name, base, {"Authorization": f"Bearer {keys[0]}"} if keys else {})
            for name, (base, keys) in servers.items()
        }
        # The first passes are not counted: they fill caches, templates and connections. The first client's
        # latencies are kept apart, since a page asked for the first time is what no cache can help.
        first = {name: _first_passes(base, requests[name], keys, options) for name, (base, keys) in servers.items()}
        results = {name: Tally() for name in servers}
        for _ in range(options.rounds):
            for name, (base, keys) in servers.items():
                _mix(base, requests[name], keys, options, results[name])
        measured = {
            name: {
                **mix_figures(results[name]),
                "first": {
                    query: stats.latencies[0] if stats.latencies else None
                    for query, stats in first[name].queries().items()
                },
                "paths": {request.name: request.path for request in requests[name]},
            }
            for name in servers
        }
        print(f"asking each server the long tail: {len(tail)} distinct pages, each once", flush=True)
        measured["long_tail"] = _long_tail(servers, tail, options)
        measured["techniques"] = {}
        for technique, (label, _) in TECHNIQUES.items():
            print(f"asking the mix and the long tail of the portal without {label}", flush=True)
            measured["techniques"][technique] = {
                "label": label,
                **_without(technique, options, release, state, tokens, requests["portal"], tail),
            }
        print("measuring load isolation on the portal", flush=True)
        measured["isolation"] = measure_isolation(
            portal, ordinary_paths(release), options.isolation_rounds, options.window_seconds
        )
        print("measuring a shared address: ordinary users and an abusive client behind one address", flush=True)
        measured["shared"] = measure_shared(portal, ordinary_paths(release), options.shared_seconds)
    return measured


def bench(options: Options) -> dict:
    """Run every part of the benchmark and return its figures; the report is written from them."""
    options.work.mkdir(parents=True, exist_ok=True)
    machine = describe()
    data = data_dir(options.work, options.scale)
    print("timing the build", flush=True)
    build = time_build(data, options.work / "portal", options.work)
    print("timing the plain load of the same raw files", flush=True)
    plain = time_plain_load(data, options.work)
    release = Path(build["release"])
    print("writing the baseline's naive database", flush=True)
    naive_db = options.work / "naive.db"
    naive_database(release, naive_db)
    queries = build_mix(release)
    print(
        f"serving both and sending the mix ({len(queries)} queries, {options.clients} clients, "
        f"{options.rounds} rounds)",
        flush=True,
    )
    tail = long_tail.draw(release, options.tail_pages)
    with tempfile.TemporaryDirectory(prefix="bench-state-") as state:
        served = _serve_and_measure(options, release, naive_db, queries, Path(state), tail)
    print("running the same SQL directly in SQLite", flush=True)
    targeted = [query for query in queries if query.kind in TARGET_KINDS]
    direct = run_direct(release, targeted, options.clients, options.rounds, options.max_seconds)
    direct_tail = run_direct(release, tail, options.clients, 1, options.max_seconds, each_once=True)
    machine["load_average_end"] = os.getloadavg()[0]  # other work on the machine shows in both
    mix = {
        "clients": options.clients,
        "rounds": options.rounds,
        "max_seconds": options.max_seconds,
        "queries": [
            {
                **asdict(query),
                "portal": served["portal"]["paths"][query.name],
                "baseline": served["baseline"]["paths"][query.name],
            }
            for query in queries
        ],
    }
    return {
        "scale": options.scale,
        "machine": machine,
        "build": build,
        "plain": plain,
        "mix": mix,
        "portal": served["portal"],
        "baseline": served["baseline"],
        "isolation": served["isolation"],
        "shared": served["shared"],
        "techniques": served["techniques"],
        "long_tail": {
            **served["long_tail"],
            "sqlite": summary([ms for values in direct_tail.values() for ms in values]),
            "sqlite_answered": sum(len(values) for values in direct_tail.values()),
            "pages": len(tail),
            "tables": sorted({f"{q.database}.{q.table}" for q in tail}),
            "kinds": {fmt: sum(q.portal.split("?")[0].endswith(fmt) for q in tail) for fmt in (".json", ".csv")},
        },
        "direct": {name: summary(values) for name, values in direct.items()},
    }


def main(options: Options) -> dict:
    results = bench(options)
    (options.work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    report.write(options.out, results)
    print(report.console(results))
    print(f"figures written to {options.out} (all of them: {options.work / 'results.json'})")
    return results
