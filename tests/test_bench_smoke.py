"""`make bench` in miniature: the whole pipeline at small scale with a handful of requests, so that it cannot rot.

Nothing is timed here; the figures only have to be there and be numbers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.bench import benchmarks_page as report

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    "### Targets",
    "### Machine and versions",
    "### Build",
    "### Served: the portal and the baseline",
    "### The long tail",
    "### What each technique gains",
    "### Load isolation",
    "### Shared address",
]
TARGETS = [
    "build time / plain load time",
    "build peak memory",
    "baseline p95 / portal p95",
    "portal p95 / SQLite p95",
    "slowest portal p95",
    "portal errors",
    "long tail (40 pages, each once): baseline p95 / portal p95",
    "long tail (40 pages, each once): portal p95 / SQLite p95",
    "long tail: portal errors",
    "beside a heavy-sql client",
    "beside a flood client",
    "5xx",
]


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    out = work / "benchmarks.md"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench",
            "--scale",
            "small",
            "--work",
            str(work),
            "--out",
            str(out),
            "--clients",
            "2",
            "--rounds",
            "1",
            "--max-seconds",
            "30",
            "--isolation-rounds",
            "1",
            "--window-seconds",
            "0.5",
            "--shared-seconds",
            "3",
            "--tail-pages",
            "40",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        timeout=180,
    )
    return out.read_text(encoding="utf-8"), json.loads((work / "results.json").read_text(encoding="utf-8"))


def tables(markdown: str) -> list[list[dict]]:
    """Every markdown table as a list of rows keyed by header."""
    found = []
    for block in re.findall(r"((?:^\|.*\|\n)+)", markdown, flags=re.M):
        lines = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block.splitlines()]
        found.append([dict(zip(lines[0], row)) for row in lines[2:]])
    return found


def number(cell: str) -> float:
    return float(cell.strip("*"))


@pytest.mark.slow
def test_the_report_has_every_section_between_its_markers(bench):
    text, _ = bench
    assert text.index(report.START) < text.index(report.END)
    for section in SECTIONS:
        assert section in text, section
    assert "n/a" not in text


@pytest.mark.slow
def test_every_target_is_reported_with_a_number_and_pass_or_miss(bench):
    text, _ = bench
    targets = next(table for table in tables(text) if table and "target" in table[0])
    for name in TARGETS:
        assert any(name in row["target"] for row in targets), name
    for row in targets:
        number(row["measured"])
        assert row["result"] in ("PASS", "MISS"), row


@pytest.mark.slow
def test_every_figure_of_build_mix_and_isolation_is_a_number(bench):
    text, results = bench
    by_header = {tuple(table[0]): table for table in tables(text) if table}
    build = by_header[("step", "seconds")]
    assert {"extract", "validate", "anonymise", "gate", "load"} <= {row["step"] for row in build}
    for row in build:
        number(row["seconds"])
    for row in by_header[("process", "peak memory, MiB")]:
        assert number(row["peak memory, MiB"]) > 0
    served = next(table for header, table in by_header.items() if header[:2] == ("query", "portal first"))
    assert len(served) == len(results["mix"]["queries"])
    assert {query["kind"] for query in results["mix"]["queries"]} == {
        "home",
        "facets",
        "filtered",
        "search",
        "array",
        "deep",
        "sql",
        "csv",
    }
    for row in served:
        for column, cell in row.items():
            if column != "query" and cell:
                number(cell)
    techniques = next(table for header, table in by_header.items() if header[0] == "served without")
    assert len(techniques) == len(results["techniques"]) == 2
    for row in techniques:
        for column, cell in row.items():
            if column != "served without":
                assert number(cell) > 0, (row, column)
    servers = next(table for header, table in by_header.items() if header[0] == "server")
    assert [row["server"] for row in servers] == ["portal", "baseline"]
    for row in servers:
        assert number(row["requests answered"]) > 0 and number(row["requests per second"]) > 0
    tail = next(table for header, table in by_header.items() if header[:2] == ("server", "answered"))
    assert [row["server"] for row in tail] == ["portal", "baseline (default Datasette)", "the same SQL in SQLite"]
    assert [number(row["answered"]) for row in tail] == [40, 40, 40]
    assert len({query for query in results["long_tail"]["tables"]}) > 1
    isolation = next(table for header, table in by_header.items() if header[0] == "ordinary clients")
    assert [row["ordinary clients"] for row in isolation] == ["alone", "heavy-sql", "flood"]
    for row in isolation:
        number(row["p95"]), number(row["p95 / alone"])


@pytest.mark.slow
def test_a_new_run_replaces_only_its_own_section(bench, tmp_path):
    _, results = bench
    other = "<!-- cluster: start -->\n## Another benchmark\n\nits figures\n<!-- cluster: end -->\n"
    path = tmp_path / "benchmarks.md"
    path.write_text(f"# Benchmarks\n\n{report.START}\nold figures\n{report.END}\n\n{other}", encoding="utf-8")
    report.write(path, results)
    text = path.read_text(encoding="utf-8")
    assert "old figures" not in text and other in text
    assert text.count(report.START) == 1 and "### Targets" in text
