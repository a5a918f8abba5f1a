"""A wrong or damaged source file fails the real build in one line naming it and what to do, before it is read
whole, and the release being served stays as it was."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from scripts.build.pipeline import main
from scripts.build.read.source_file import LIMIT_VARIABLE
from tests.conftest import CSV

# The first record of the delivered file: no message may quote it, whatever went wrong.
FIRST_RECORD = CSV.splitlines()[1].split(",")[1]
ONE_GIB = 1024**3


def truncated_in_header(path: Path) -> None:
    path.write_bytes(CSV.encode()[:20])


def huge_sparse(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(ONE_GIB)  # a hole: nothing written to disk


def directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "tasks.csv").write_text(CSV, encoding="utf-8")


def utf16_without_bom(path: Path) -> None:
    path.write_bytes(CSV.lstrip("\ufeff").encode("utf-16-le"))


def nul_in_value(path: Path) -> None:
    path.write_text(CSV.replace("Cấp căn cước", "Cấp căn\0cước"), encoding="utf-8")


def symlink(path: Path) -> None:
    target = path.parent.parent.parent / "elsewhere.csv"
    target.write_text(CSV, encoding="utf-8")
    path.unlink()
    path.symlink_to(target)


def fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize(
    "damage, expected",
    [
        (truncated_in_header, "tasks.csv:2:1: the file has a header but no data rows (it ends inside the header row"),
        (huge_sparse, f"tasks.csv: {ONE_GIB:,} bytes, above the limit of 536,870,912 bytes for a source file"),
        (directory, "tasks.csv: a directory, not a file; point the manifest's 'source.files' at the CSV file"),
        (utf16_without_bom, "tasks.csv: looks like UTF-16 without a byte-order mark"),
        (nul_in_value, "tasks.csv:3:2: a NUL byte in the value of column 2 (value not shown)"),
        (symlink, "tasks.csv: a symbolic link, which the build does not follow; copy the delivered file itself"),
        (fifo, "tasks.csv: not a regular file (a device, pipe or socket)"),
    ],
)
def test_a_bad_source_file_fails_in_one_line(
    data_dir, tmp_path, portal_metadata, capsys, monkeypatch, damage, expected
):
    monkeypatch.delenv(LIMIT_VARIABLE, raising=False)
    served = first_release(data_dir, tmp_path, portal_metadata, capsys)
    damage(data_dir / "raw" / "tasks.csv")
    output = failed_build(data_dir, tmp_path, portal_metadata, capsys)
    assert expected in output, output
    assert served == fingerprint(tmp_path / "build")


def test_the_size_limit_is_set_for_all_datasets_or_per_dataset(
    data_dir, tmp_path, portal_metadata, capsys, monkeypatch
):
    monkeypatch.setenv(LIMIT_VARIABLE, "100")
    assert f"tasks.csv: {len(CSV.encode())} bytes, above the limit of 100 bytes" in failed_build(
        data_dir, tmp_path, portal_metadata, capsys
    )
    manifest = data_dir / "manifest.yml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "source: {files: [raw/tasks.csv]}", "source: {files: [raw/tasks.csv], max_bytes: 1000}"
        ),
        encoding="utf-8",
    )
    assert main(arguments(data_dir, tmp_path, portal_metadata)) == 0  # the dataset's own limit wins
    capsys.readouterr()
    monkeypatch.setenv(LIMIT_VARIABLE, "1 GB")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(", max_bytes: 1000", ""), encoding="utf-8")
    assert f"{LIMIT_VARIABLE} must be a whole number of bytes" in failed_build(
        data_dir, tmp_path, portal_metadata, capsys
    )


def test_a_file_of_zeros_above_a_raised_limit_is_refused_from_its_first_bytes(
    data_dir, tmp_path, portal_metadata, capsys, monkeypatch
):
    monkeypatch.setenv(LIMIT_VARIABLE, str(2 * ONE_GIB))
    huge_sparse(data_dir / "raw" / "tasks.csv")
    output = failed_build(data_dir, tmp_path, portal_metadata, capsys)
    assert "tasks.csv: begins with 4,096 NUL bytes, not text" in output


def arguments(data_dir: Path, tmp_path: Path, portal_metadata: Path) -> list[str]:
    return ["--data", str(data_dir), "--build", str(tmp_path / "build"), "--metadata", str(portal_metadata)]


def first_release(data_dir, tmp_path, portal_metadata, capsys) -> dict:
    assert main(arguments(data_dir, tmp_path, portal_metadata)) == 0
    capsys.readouterr()
    return fingerprint(tmp_path / "build")


def failed_build(data_dir, tmp_path, portal_metadata, capsys) -> str:
    """The build's output, which must be a plain failure naming the file and quoting none of it."""
    assert main(arguments(data_dir, tmp_path, portal_metadata)) == 1
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "nothing was published" in output and "Traceback" not in output, output
    assert len(output.splitlines()) == 2 and FIRST_RECORD not in output, output
    return output


def fingerprint(build_dir: Path) -> dict:
    """The release being served: which one, and the hash of each of its files."""
    current = build_dir / "current"
    if not current.is_symlink():
        return {}
    release = current.resolve()
    return {"release": release.name} | {
        str(f.relative_to(release)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(release.rglob("*"))
        if f.is_file()
    }
