"""Every way a build can fail ends in plain lines naming what to fix, never a traceback or a value of a person.

Each test provokes one kind of failure in a source of named people and scans all the build printed for every
name and ID number in that source.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.build.anonymise.keys import DEVELOPMENT_KEY, KEY_FILE_VARIABLE, KEY_VARIABLE
from scripts.build.pipeline import main
from tests.records_data import RESIDENTS_SPEC, add_dataset, add_source, people, residents_csv

ROOT = Path(__file__).resolve().parent.parent
PERSONS = people(300)
SAMPLE = """\
derive:
  kind: records
  source: residents
  sample_fraction: 0.5
  quasi_identifiers:
    - {column: birth_date, name: age_band, levels: [age_band_20y]}
    - {column: sex, levels: [identity]}
    - {column: commune_code, name: area, levels: [identity, whole_province]}
  k: 5
  max_suppression: 0.2
"""
UNEXPECTED = """\
import sys
import scripts.build.anonymise.records

def anonymise(rows, *args, **kwargs):
    first = rows.iloc[0]  # a local holding the rows, and a message quoting one of them
    raise ValueError(f"cannot anonymise {first['full_name']} ({first['personal_id']})")

scripts.build.anonymise.records.anonymise_records = anonymise
from scripts.build.pipeline import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def residents(data_dir, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, DEVELOPMENT_KEY.decode())
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(PERSONS))
    add_dataset(data_dir, "residents_sample", "residents", SAMPLE)
    return data_dir


def arguments(data_dir: Path, tmp_path: Path, portal_metadata: Path) -> list[str]:
    return ["--data", str(data_dir), "--build", str(tmp_path / "build"), "--metadata", str(portal_metadata)]


def assert_plain_and_anonymous(output: str, expected: str) -> None:
    """The failure is stated in plain lines, and nobody in the source is named or numbered anywhere."""
    assert "nothing was published" in output and expected in output, output
    assert "Traceback" not in output and "│" not in output and len(output.splitlines()) < 20, output
    leaked = [p.name for p in PERSONS if p.name in output] + [p.personal_id for p in PERSONS if p.personal_id in output]
    assert leaked == [], leaked


def build_in_process(data_dir, tmp_path, portal_metadata, capsys) -> str:
    assert main(arguments(data_dir, tmp_path, portal_metadata)) == 1
    captured = capsys.readouterr()
    return captured.out + captured.err


def build_in_subprocess(command: list[str], env: dict, limit_bytes: int | None = None) -> str:
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_file_size if limit_bytes else None,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_a_full_disk(residents, tmp_path, portal_metadata):
    output = build_in_subprocess(
        ["-m", "scripts.build.pipeline", *arguments(residents, tmp_path, portal_metadata)],
        dict(os.environ),
        limit_bytes=8192,
    )
    assert_plain_and_anonymous(output, "free disk space")
    assert not (tmp_path / "build" / "current").exists() and not list((tmp_path / "build").glob(".staging-*"))


def test_an_unexpected_exception_quoting_a_person(residents, tmp_path, portal_metadata):
    output = build_in_subprocess(["-c", UNEXPECTED, *arguments(residents, tmp_path, portal_metadata)], dict(os.environ))
    assert_plain_and_anonymous(output, "unexpected ValueError at scripts/build/anonymise/records.py:")


def test_bad_values_in_personal_columns(residents, tmp_path, portal_metadata, capsys):
    csv = residents / "raw" / "residents.csv"
    text = csv.read_text(encoding="utf-8")
    for person in PERSONS[:8]:  # an ID one digit too long, a name where the birth date belongs
        text = text.replace(
            f"{person.personal_id},{person.name},{person.birth:%d/%m/%Y}",
            f"{person.personal_id}7,{person.name},{person.name}",
        )
    csv.write_text(text, encoding="utf-8")
    output = build_in_process(residents, tmp_path, portal_metadata, capsys)
    assert_plain_and_anonymous(output, "'9999999999999' is longer than 12 digits (value masked: personal data")
    assert "is not a valid date (expected dd/mm/yyyy) (value masked: personal data" in output


def test_a_missing_header_row(residents, tmp_path, portal_metadata, capsys):
    csv = residents / "raw" / "residents.csv"
    csv.write_text(csv.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    output = build_in_process(residents, tmp_path, portal_metadata, capsys)
    assert_plain_and_anonymous(output, "is the header row missing?")


@pytest.mark.parametrize(
    "key, synthetic, expected",
    [
        ("a" * 32, True, "refused because it repeats characters"),
        ("", True, "need a secret key"),
        (DEVELOPMENT_KEY.decode(), False, "development key may only pseudonymise synthetic"),
    ],
)
def test_a_bad_key(data_dir, tmp_path, portal_metadata, capsys, monkeypatch, key, synthetic, expected):
    monkeypatch.setenv(KEY_VARIABLE, key)
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    add_source(data_dir, "residents", RESIDENTS_SPEC, residents_csv(PERSONS))
    add_dataset(data_dir, "residents_sample", "residents", SAMPLE, synthetic=synthetic)
    output = build_in_process(data_dir, tmp_path, portal_metadata, capsys)
    assert_plain_and_anonymous(output, expected)
    assert "a" * 32 not in output


def test_a_k_that_cannot_be_reached(residents, tmp_path, portal_metadata, capsys):
    spec = residents / "specs" / "residents_sample.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("[age_band_20y]", "[identity]").replace("0.2", "0"), encoding="utf-8"
    )
    output = build_in_process(residents, tmp_path, portal_metadata, capsys)
    assert_plain_and_anonymous(output, "no generalisation of ['birth_date', 'sex', 'commune_code'] reaches k=5")
