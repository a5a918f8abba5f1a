"""`make bench-cluster`'s parts: the throughput measurement on a real server, and its own section of the report."""

from __future__ import annotations

from scripts import load
from scripts.build.pipeline import build
from scripts.build.publish import current_log, release_seal
from scripts.build.publish import release as releases
from scripts.serve import command as serve
from scripts.serve.cluster import rolling
from scripts.serve.cluster.bench import END, START, throughput, write_section
from scripts.serve.loopback import serving


def test_throughput_counts_the_answers_of_a_real_portal(data_dir, portal_metadata, tmp_path):
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    with serving(lambda port: serve.command(release, port=port)) as base:
        measured = throughput(
            base, ["/portal/tasks.json?_shape=array", "/portal/tasks"], clients=2, seconds=1, warmup=0
        )
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


def test_the_rolling_releases_alternate_a_published_copy_and_a_rollback(data_dir, portal_metadata, tmp_path):
    source, _ = build(data_dir, tmp_path / "build", portal_metadata)
    scratch = tmp_path / "scratch"
    assert rolling.prepare(source, scratch, keep=4) == "0001"
    switched = [
        rolling.republish(scratch, source, keep=4),
        releases.rollback(scratch).name,
        rolling.republish(scratch, source, keep=4),
        releases.rollback(scratch).name,
    ]
    assert switched == ["0002", "0001", "0003", "0001"]
    assert (scratch / "current").resolve().name == "0001"
    log = [line.split()[1:] for line in (scratch / current_log.LOG).read_text().splitlines()]
    assert log == [["build", "0001"], ["build", "0002"], ["rollback", "0001"], ["build", "0003"], ["rollback", "0001"]]
    for name in ("0001", "0002", "0003"):
        assert release_seal.problem(scratch / "releases" / name) is None
    assert release_seal.problem(source) is None and (tmp_path / "build" / "current").resolve() == source


def test_an_answer_of_the_release_before_counts_once_its_roll_out_was_done():
    rolls = [rolling.Roll("0002", switched=10, done=15), rolling.Roll("0001", switched=20, done=25)]

    def answer(started: float, release: str) -> load.Answer:
        return load.Answer(started, "/", 200, release, 0.1)

    fine = [
        answer(5, "0001"),
        answer(12, "0001"),
        answer(12, "0002"),
        answer(16, "0002"),
        answer(22, "0002"),
        answer(26, "0001"),
        answer(19.95, "0002"),
    ]
    stale = [answer(16, "0001"), answer(30, "0002")]
    tally = load.Tally(fine + stale, 40)
    assert rolling._stale(tally, "0001", rolls) == stale
