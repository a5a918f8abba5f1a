"""`make bench-cluster`'s parts: the throughput measurement on a real server, and its own section of the report."""

from __future__ import annotations

from scripts.build.pipeline import build
from scripts.serve import command as serve
from scripts.serve.cluster.bench import END, START, throughput, write_section
from scripts.serve.loopback import serving


def test_throughput_counts_the_answers_of_a_real_portal(data_dir, portal_metadata, tmp_path):
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    with serving(lambda port: serve.command(release, port=port)) as base:
        measured = throughput(base, ["/portal/tasks.json?_shape=array", "/portal/tasks"], clients=2, seconds=1,
                              warmup=0)
    # Two anonymous clients on one address may outrun its rate limit: 429s are counted apart, never as failures.
    assert set(measured.statuses) <= {200, 429} and measured.statuses.get(200) and measured.failures == 0
    assert measured.requests_per_second > 0
    assert 0 < measured.p50_ms <= measured.p95_ms


def test_the_report_section_replaces_its_previous_self_and_nothing_else(tmp_path):
    report = tmp_path / "benchmarks.md"
    others = "# Benchmarks\n\n<!-- make bench: start -->\nother figures\n<!-- make bench: end -->\n"
    report.write_text(others, encoding="utf-8")
    write_section(f"{START}\nfirst run\n{END}\n", report)
    write_section(f"{START}\nsecond run\n{END}\n", report)
    text = report.read_text(encoding="utf-8")
    assert text.startswith(others)
    assert text.count(START) == 1 and "second run" in text and "first run" not in text
