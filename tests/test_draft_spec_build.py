"""The real build refuses a drafted spec, one line per unconfirmed column and the served release untouched, and
accepts it once every role is confirmed."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.build.pipeline import build
from scripts.build.steps import BuildFailed
from scripts.ops.draft_spec import write_draft
from scripts.ops.drafting.measures import Communes, KnownPeople
from tests.conftest import REPO, manifest_entry, write

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Thu Hà", "Vũ Đức Giang"]
PEOPLE = "\ufeffSố định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Mã xã,Số điện thoại,Số con\r\n" + "".join(
    f"0221{90 + i % 9:02d}{i:06d},{NAMES[i % 6]},{1 + i % 28:02d}/0{1 + i % 9}/19{90 + i % 9},"
    f"{'Nam' if i % 2 else 'Nữ'},0{6658 + i % 3},09{i % 10}{i:07d},{i % 4}\r\n"
    for i in range(40)
)
OFFICES = "\ufeffMã đơn vị,Tên đơn vị,Mã xã,Số cán bộ,Ngày thành lập\r\n" + "".join(
    f'{i:03d},Bộ phận một cửa số {i},0{6658 + i % 3},"1.{i:03d}",0{1 + i % 9}/01/2020\r\n' for i in range(1, 13)
)


@pytest.fixture(scope="module")
def communes():
    return Communes.of_the_province()


def add_drafted_dataset(data_dir: Path, dataset: str, csv: str, communes) -> Path:
    """The delivered file, its drafted spec and its manifest entry, as an admin adds a dataset with `make spec`."""
    write(data_dir / "raw" / f"{dataset}.csv", csv)
    spec = write_draft(
        data_dir / "raw" / f"{dataset}.csv",
        dataset,
        data_dir / "specs" / f"{dataset}.yml",
        known=KnownPeople(),
        communes=communes,
    )
    manifest = data_dir / "manifest.yml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + manifest_entry(dataset, dataset), encoding="utf-8")
    return spec


def confirm(spec: Path, keep_unconfirmed: int | None = None) -> None:
    """Set each role to its suggestion, as an admin who agrees with it would (one left alone if asked)."""
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    roles = [i for i, line in enumerate(lines) if line.startswith("    role: unconfirmed")]
    suggested = [line.split(": ")[1].strip() for line in lines if line.startswith("    suggested_role: ")]
    for n, (i, role) in enumerate(zip(roles, suggested)):
        if n != keep_unconfirmed:
            lines[i] = f"    role: {role}  # confirmed\n"
    spec.write_text("".join(lines), encoding="utf-8")


def served(build_dir: Path) -> tuple[str, dict[str, bytes]]:
    """The release `build/current` points at and the bytes of its files."""
    current = (build_dir / "current").resolve()
    return current.name, {p.name: p.read_bytes() for p in sorted(current.iterdir()) if p.is_file()}


def test_the_build_refuses_each_unconfirmed_role_and_keeps_serving_the_previous_release(
    data_dir, portal_metadata, tmp_path, communes
):
    build_dir = tmp_path / "build"
    build(data_dir, build_dir, portal_metadata)
    before = served(build_dir)
    releases = sorted(p.name for p in (build_dir / "releases").iterdir())
    spec = add_drafted_dataset(data_dir, "people", PEOPLE, communes)

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.build.pipeline",
            "--data",
            str(data_dir),
            "--build",
            str(build_dir),
            "--metadata",
            str(portal_metadata),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    head, *lines = result.stderr.strip().splitlines()
    assert head == "build failed, nothing was published:" and len(lines) == 7
    spec_lines = spec.read_text(encoding="utf-8").splitlines()
    pattern = re.compile(
        rf"dataset 'people': {re.escape(str(spec))}:(\d+): column '(\w+)' \(columns\[\d\], header "
        r"'[^']+'\): role is unconfirmed; set 'role:' to the role you confirm, one of attribute, "
        r"direct_identifier, quasi_identifier, sensitive, free_text \(suggested: (\w+)\)"
    )
    found = [pattern.fullmatch(line) for line in lines]
    assert all(found), lines
    for match in found:  # each line points at the column's own `role: unconfirmed`
        assert spec_lines[int(match.group(1)) - 1].strip().startswith("role: unconfirmed")
    suggested = {match.group(2): match.group(3) for match in found}
    assert suggested["so_dinh_danh_ca_nhan"] == "direct_identifier" and suggested["ngay_sinh"] == "quasi_identifier"
    values = {value for row in PEOPLE.splitlines()[1:] for value in row.split(",")[:2] + row.split(",")[5:6]}
    assert not [value for value in values if value in result.stderr]
    assert served(build_dir) == before
    assert sorted(p.name for p in (build_dir / "releases").iterdir()) == releases
    assert not list(build_dir.glob(".staging-*"))

    confirm(spec, keep_unconfirmed=3)
    with pytest.raises(BuildFailed) as refused:  # one column left: one line, naming it
        build(data_dir, build_dir, portal_metadata)
    assert str(refused.value).count("role is unconfirmed") == 1 and "column 'gioi_tinh'" in str(refused.value)
    assert served(build_dir) == before

    confirm(spec)
    release, outcome = build(data_dir, build_dir, portal_metadata)
    # Confirmed, the file is read and checked; about people, it is published only through a derived table.
    assert "personal data" in outcome.skipped["people"] and outcome.published["tasks"] == 3
    assert served(build_dir)[0] == release.name != before[0]


def test_a_confirmed_draft_of_a_file_about_no_one_is_published(data_dir, portal_metadata, tmp_path, communes):
    spec = add_drafted_dataset(data_dir, "offices", OFFICES, communes)
    drafted = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert {c["suggested_role"] for c in drafted["columns"]} == {"attribute"}
    assert drafted["primary_key"] == ["ma_don_vi"]
    confirm(spec)
    release, outcome = build(data_dir, tmp_path / "build", portal_metadata)
    assert outcome.published["offices"] == 12
    assert any("removed thousands separators" in repair for repair in outcome.repairs)
    with sqlite3.connect(release / "portal.db") as db:
        row = db.execute("select ma_don_vi, ma_xa, so_can_bo, ngay_thanh_lap from offices order by 1").fetchone()
    assert row == ("001", "06659", 1001, "2020-01-02")
