"""Shared fixtures: a tiny inline data/ directory that the real pipeline can build; the outside tools tests need."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest


def in_ci() -> bool:
    """True under CI (`.ci/run` sets CI=1): there a missing tool fails its tests instead of skipping them."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(name: str, install: str, places: Iterable[str | Path] = ()) -> Path:
    """The executable `name`, found on PATH or at one of `places`. When it is missing the test is skipped, or fails
    under CI, saying what to install (`install`)."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for place in places:
        if os.access(place, os.X_OK) and Path(place).is_file():
            return Path(place)
    message = f"{name} is not installed; install it with: {install}"
    if in_ci():
        pytest.fail(f"{message} (.ci/run installs it; under CI a missing tool is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


CHROMIUM_INSTALL = "apt-get install -y chromium (Debian's package, as root)"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium for the browser tests (Playwright cannot download its own browser here)."""
    return require_tool("chromium", CHROMIUM_INSTALL, ["/usr/bin/chromium"])


MANIFEST = """\
portal_list: {decision: "1234/QĐ-UBND", date: 2024-03-15, approver: "Chủ tịch UBND tỉnh"}
publishers:
  - {id: so-khcn, vi: "Sở Khoa học và Công nghệ", en: "Department of Science and Technology"}
themes:
  - {id: chuyen-doi-so, vi: "Chuyển đổi số", en: "Digital transformation"}
datasets:
  - id: tasks
    title: {vi: "Nhiệm vụ", en: "Tasks"}
    description: {vi: "Nhiệm vụ mẫu", en: "Sample tasks"}
    publisher: so-khcn
    theme: chuyen-doi-so
    licence: CC-BY-4.0
    update_frequency: monthly
    access: public
    synthetic: true
    approval: {status: approved, decision: "46/KH-UBND", date: 2023-02-19, approver: "Chủ tịch UBND tỉnh"}
    source: {files: [raw/tasks.csv]}
    spec: specs/tasks.yml
"""

# A manifest of one's own for builds that need no `tasks` dataset: publishers and themes, no dataset yet.
MANIFEST_HEAD = MANIFEST.split("datasets:")[0] + "datasets:\n"


def manifest_entry(
    dataset: str, files: str, spec: str | None = None, access: str = "public", synthetic: bool = True
) -> str:
    """One approved dataset entry of the manifest, reading raw/<files>.csv through specs/<spec or dataset>.yml."""
    return f"""\
  - id: {dataset}
    title: {{vi: "Bảng {dataset}", en: "Table {dataset}"}}
    description: {{vi: "Mẫu", en: "Sample"}}
    publisher: so-khcn
    theme: chuyen-doi-so
    licence: CC-BY-4.0
    update_frequency: monthly
    access: {access}
    synthetic: {str(synthetic).lower()}
    approval: {{status: approved, decision: "46/KH-UBND", date: 2023-02-19, approver: "Chủ tịch UBND tỉnh"}}
    source: {{files: [raw/{files}.csv]}}
    spec: specs/{spec or dataset}.yml
"""


SPEC = """\
primary_key: [code]
columns:
  - {name: code, header: "Mã", type: code, width: 3, required: true, role: attribute,
     label: {vi: "Mã", en: "Code"}, description: {vi: "Mã nhiệm vụ", en: "Task code"}}
  - {name: name, header: "Tên nhiệm vụ", type: text, required: true, role: attribute,
     label: {vi: "Tên", en: "Name"}, description: {vi: "Tên nhiệm vụ", en: "Task name"}}
  - {name: unit, header: "Đơn vị chủ trì", type: text, role: attribute,
     label: {vi: "Đơn vị", en: "Unit"}, description: {vi: "Đơn vị chủ trì", en: "Lead unit"}}
  - {name: deadline, header: "Thời hạn", type: date, role: attribute,
     label: {vi: "Thời hạn", en: "Deadline"}, description: {vi: "Hạn hoàn thành", en: "Deadline"}}
  - {name: done, header: "Hoàn thành", type: boolean, role: attribute,
     label: {vi: "Hoàn thành", en: "Done"}, description: {vi: "Đã hoàn thành", en: "Done"}}
  - {name: budget, header: "Kinh phí", type: integer, role: attribute, unit: "triệu đồng",
     label: {vi: "Kinh phí", en: "Budget"}, description: {vi: "Kinh phí", en: "Budget"}}
facets: [unit, done]
fts: [name, unit]
sortable: [deadline]
sort: code
"""

CSV = """\ufeffMã,Tên nhiệm vụ,Đơn vị chủ trì,Thời hạn,Hoàn thành,Kinh phí\r
001,Hoàn thiện thể chế,Công an tỉnh,19/02/2023,Có,"1.200"\r
2,Cấp căn cước,Công an tỉnh,5/3/2024,Không,300\r
003,Dịch vụ công trực tuyến,Sở Khoa học và Công nghệ,,Có,\r
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data/ directory with one approved dataset, its spec and a messy but valid extract."""
    root = tmp_path / "data"
    write(root / "manifest.yml", MANIFEST)
    write(root / "specs" / "tasks.yml", SPEC)
    write(root / "raw" / "tasks.csv", CSV)
    return root


@pytest.fixture(scope="session", autouse=True)
def tokens_db_outside_home(tmp_path_factory):
    """No test touches the real tokens database: serving a restricted tier creates one, here in a temporary dir."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_TOKENS_DB", str(tmp_path_factory.mktemp("state") / "tokens.db"))
        yield


@pytest.fixture(scope="session", autouse=True)
def requests_db_outside_the_repository(tmp_path_factory):
    """No test writes the public's requests into var/: the request form's store is in a temporary dir."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_REQUESTS_DB", str(tmp_path_factory.mktemp("requests") / "requests.db"))
        yield


@pytest.fixture
def portal_metadata(tmp_path: Path) -> Path:
    return write(tmp_path / "metadata.yml", "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\n")


@pytest.fixture
def portal(data_dir, portal_metadata, tmp_path):
    """The tiny inline build, served by the real Datasette app as `make serve` serves it (modules may override)."""
    from scripts.build.pipeline import build
    from scripts.serve import command as serve

    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    return serve.app(release)


REPO = Path(__file__).resolve().parent.parent


class SampleRelease:
    """A real build of the small synthetic sample, shared by the end-to-end tests."""

    def __init__(self, data: Path, release: Path, outcome):
        self.data, self.release, self.outcome = data, release, outcome


@pytest.fixture(scope="session")
def sample_release(tmp_path_factory) -> SampleRelease:
    import shutil
    import subprocess
    import sys

    from scripts.build.pipeline import build

    root = tmp_path_factory.mktemp("sample")
    data = root / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("raw"))
    subprocess.run(
        [sys.executable, "-m", "scripts.sample", "--scale", "small", "--out", str(data / "raw")],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    import os

    from scripts.build.anonymise.pseudonym import DEVELOPMENT_KEY, KEY_VARIABLE

    previous = os.environ.get(KEY_VARIABLE)
    os.environ[KEY_VARIABLE] = DEVELOPMENT_KEY.decode()  # the sample is synthetic: the public key is allowed
    try:
        release, outcome = build(data, root / "build", REPO / "metadata.yml")
    finally:
        if previous is None:
            os.environ.pop(KEY_VARIABLE)
        else:
            os.environ[KEY_VARIABLE] = previous
    return SampleRelease(data, release, outcome)


@pytest.fixture(scope="session")
def sample_url(sample_release):
    """The sample build served as `make serve NGINX=off` serves it, once for every browser test of the session."""
    from scripts.serve import command as serve
    from scripts.serve.loopback import serving

    with serving(lambda port: serve.command(sample_release.release, port=port), probe="/robots.txt") as url:
        yield url
