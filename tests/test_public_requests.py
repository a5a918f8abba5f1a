"""The public's requests: the form on a served portal, its store, its protections, the admins' command, the public
page, the contact point of each dataset, and a real Chromium filling the form on a phone-sized screen."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from plugins.portal_site import requests_store as store
from scripts.build.pipeline import build
from scripts.build.spec.manifest import ManifestError, load_manifest
from scripts.serve import command as serve
from scripts.serve.loopback import serving
from tests.browser import offline_page, shoot
from tests.conftest import CSV, MANIFEST, SPEC, manifest_entry, write

ROOT = Path(__file__).resolve().parent.parent
FORM = "/yeu-cau/gui"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')
PUBLISHERS = """\
publishers:
  - {id: so-khcn, vi: "Sở Khoa học và Công nghệ", en: "Department of Science and Technology",
     email: "so-khcn@quangninh.example"}
  - {id: so-tp, vi: "Sở Tư pháp", en: "Department of Justice"}
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """A tiny real build: `tasks` by a publisher with an e-mail address, `tasks_tp` by one without."""
    root = tmp_path_factory.mktemp("requests-portal")
    manifest = re.sub(r"publishers:\n.*?\nthemes:", PUBLISHERS + "themes:", MANIFEST, flags=re.S)
    manifest += manifest_entry("tasks_tp", "tasks", spec="tasks").replace("publisher: so-khcn", "publisher: so-tp")
    write(root / "data" / "manifest.yml", manifest)
    write(root / "data" / "specs" / "tasks.yml", SPEC)
    write(root / "data" / "raw" / "tasks.csv", CSV)
    metadata = write(
        root / "metadata.yml",
        "title: Cổng dữ liệu mở\nlicense: CC BY 4.0\nplugins:\n  portal-catalogue:\n"
        "    contact_name: Cổng dữ liệu mở\n    contact_email: dulieumo@quangninh.example\n",
    )
    built, _ = build(root / "data", root / "build", metadata)
    return built


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("store") / "requests.db"


@pytest.fixture(scope="module")
def served(release, store_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(store.PATH_VARIABLE, str(store_path))
        with serving(lambda port: serve.command(release, port=port), probe="/robots.txt") as url:
            yield url


def visitor(base: str, agent: str) -> httpx.Client:
    """A browser of its own (the rate limits tell clients of one address apart by User-Agent), keeping cookies."""
    return httpx.Client(base_url=base, headers={"user-agent": agent}, timeout=60)


def open_form(client: httpx.Client, query: str = "") -> str:
    page = client.get(FORM + query)
    assert page.status_code == 200, page.text[:300]
    return TOKEN.search(page.text).group(1)


def stored(path: Path, message: str) -> list[dict]:
    return [row for row in store.all_requests(path) if row["message"] == message]


def command(path: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.ops.requests_admin", "--requests-db", str(path), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_request_sent_with_its_token_is_stored_once_and_published_with_its_answer_only(served, store_path, release):
    message = "Cột kinh phí của nhiệm vụ 003 bị trống, xin bổ sung"
    with visitor(served, "stored-once") as client:
        dataset_page = client.get("/datasets/tasks").text
        assert 'href="/yeu-cau/gui?dataset=tasks"' in dataset_page
        assert "Sở Khoa học và Công nghệ" in dataset_page and "mailto:so-khcn@quangninh.example" in dataset_page
        form = client.get(FORM + "?dataset=tasks").text
        assert '<option value="tasks" selected>' in form and 'value="problem" required checked' in form
        sent = client.post(
            FORM,
            data={
                "csrftoken": TOKEN.search(form).group(1),
                "kind": "problem",
                "dataset": "tasks",
                "message": message,
                "name": "Nguyễn Văn Bình",
                "email": "binh@example.org",
                "website": "",
            },
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/yeu-cau/da-gui", sent.text[:300]
        assert "Đã nhận yêu cầu" in client.get(sent.headers["location"]).text
    [row] = stored(store_path, message)
    assert (row["kind"], row["dataset"], row["name"], row["email"], row["status"]) == (
        "problem",
        "tasks",
        "Nguyễn Văn Bình",
        "binh@example.org",
        "open",
    )
    assert message not in httpx.get(served + "/yeu-cau").text  # not public until answered

    listed = command(store_path, "list")
    assert listed.returncode == 0 and "binh@example.org" in listed.stdout and "waiting for an answer" in listed.stdout
    reply = "Cảm ơn, kinh phí đã được bổ sung trong bản phát hành sau"
    answered = command(store_path, "answer", str(row["id"]), reply)
    assert answered.returncode == 0, answered.stderr
    assert "binh@example.org" in answered.stdout  # the admin is told where to send it

    public = httpx.get(served + "/yeu-cau")
    assert public.status_code == 200 and "no-store" in public.headers["cache-control"]
    assert message in public.text and reply in public.text and 'href="/datasets/tasks"' in public.text
    assert "binh@example.org" not in public.text and "Bình" not in public.text
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d/\d\d/\d{4}</time>", public.text)
    english = httpx.get(served + "/yeu-cau?lang=en").text
    assert re.search(r"<time datetime=\"[^\"]+\">\d{1,2} [A-Z][a-z]{2} \d{4}</time>", english)
    assert "Answer" in english and "binh@example.org" not in english
    # Never in a served database or any other file of the release.
    for path in release.rglob("*"):
        if path.is_file():
            assert message.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    "case", ["no cookie, no token", "cookie, no token", "cookie, wrong token", "token, no cookie", "english page"]
)
def test_a_post_without_a_valid_token_is_a_403_page_in_vietnamese_and_stores_nothing(served, store_path, case):
    message = f"Không có mã chống giả mạo: {case}"
    fields = {"kind": "problem", "dataset": "tasks", "message": message}
    with visitor(served, f"csrf {case}") as client, visitor(served, f"csrf other {case}") as other:
        if case == "cookie, no token":
            open_form(client)
        elif case in ("cookie, wrong token", "english page"):
            fields["csrftoken"] = open_form(client)[:-2] + "xx"
        elif case == "token, no cookie":
            fields["csrftoken"] = open_form(other)
        refused = client.post(FORM + ("?lang=en" if case == "english page" else ""), data=fields)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    if case == "english page":
        assert '<html lang="en">' in refused.text and "The form&#39;s session is not valid" in refused.text
    else:
        assert '<html lang="vi">' in refused.text and "<h1>Phiên gửi biểu mẫu không hợp lệ</h1>" in refused.text
    assert not stored(store_path, message)


def test_the_hidden_field_drops_a_bot_submission_as_if_it_were_stored(served, store_path):
    message = "Mua hàng giá rẻ tại đây ngay hôm nay"
    with visitor(served, "bot") as client:
        sent = client.post(
            FORM,
            data={
                "csrftoken": open_form(client),
                "kind": "new_dataset",
                "message": message,
                "website": "http://spam.example",
            },
        )
    assert sent.status_code == 303 and sent.headers["location"] == "/yeu-cau/da-gui"
    assert not stored(store_path, message)


def test_oversized_or_malformed_submissions_are_refused_and_store_nothing(served, store_path):
    before = len(store.all_requests(store_path))
    with visitor(served, "oversized") as client:
        token = open_form(client)
        body = f"csrftoken={token}&kind=problem&dataset=tasks&message=" + "a" * 70_000
        too_large = client.post(FORM, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        assert too_large.status_code == 413 and "Nội dung gửi quá lớn" in too_large.text
        too_long = client.post(
            FORM, data={"csrftoken": token, "kind": "problem", "dataset": "tasks", "message": "b" * 4_001}
        )
        assert too_long.status_code == 400 and "Biểu mẫu không hợp lệ" in too_long.text
        twice = client.post(
            FORM,
            content=f"csrftoken={token}&kind=problem&kind=new_dataset&message=cccccccccccc",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert twice.status_code == 400
        multipart = client.post(FORM, data={"csrftoken": token, "kind": "problem"}, files={"f": ("a.txt", b"x")})
        assert multipart.status_code == 400
        invalid = client.post(
            FORM,
            data={
                "csrftoken": token,
                "kind": "problem",
                "dataset": "no_such_table",
                "message": "ngắn",
                "email": "not an address",
            },
        )
        assert invalid.status_code == 400
        assert invalid.text.count('aria-invalid="true"') == 3 and 'role="alert"' in invalid.text
        assert "Chọn một tập dữ liệu trong danh sách." in invalid.text and ">ngắn</textarea>" in invalid.text
    assert len(store.all_requests(store_path)) == before


def test_post_is_allowed_on_the_form_and_nowhere_else(served):
    assert httpx.put(served + FORM).status_code == 405
    for path in ("/yeu-cau", "/datasets/tasks", "/portal/tasks"):
        refused = httpx.post(served + path, data={"a": "b"})
        assert refused.status_code == 405 and "POST" not in refused.headers["allow"], path


async def _send(app, agent: str, message: str, kind: str = "new_dataset"):
    page = await app.client.get(FORM, headers={"user-agent": agent})
    return await app.client.post(
        FORM,
        headers={"user-agent": agent},
        cookies=dict(page.cookies),
        data={"csrftoken": TOKEN.search(page.text).group(1), "kind": kind, "message": message},
    )


async def test_a_client_sending_too_many_requests_gets_429_and_others_are_still_served(release, tmp_path, monkeypatch):
    monkeypatch.setenv(store.PATH_VARIABLE, str(tmp_path / "requests.db"))
    app = serve.app(release)
    statuses = [(await _send(app, "eager", f"Yêu cầu số {n} của cùng một người")).status_code for n in range(6)]
    assert statuses == [303] * 5 + [429]
    refused = await _send(app, "eager", "Yêu cầu thứ bảy của cùng một người")
    assert refused.status_code == 429 and "Quá nhiều yêu cầu" in refused.text and refused.headers["retry-after"]
    assert (await _send(app, "someone else", "Một người khác gửi yêu cầu")).status_code == 303
    assert len(store.all_requests(tmp_path / "requests.db")) == 6


async def test_the_cap_on_pending_requests_refuses_new_ones_until_some_are_answered(release, tmp_path, monkeypatch):
    path = tmp_path / "requests.db"
    monkeypatch.setenv(store.PATH_VARIABLE, str(path))
    monkeypatch.setenv(store.MAX_OPEN_VARIABLE, "3")
    app = serve.app(release)
    statuses = [(await _send(app, f"person {n}", f"Đề nghị công bố dữ liệu số {n}")).status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]
    full = await _send(app, "person 5", "Đề nghị khi kho đã đầy")
    assert full.status_code == 429 and "Tạm ngừng nhận yêu cầu" in full.text
    store.answer(path, 1, "Đã trả lời")
    assert (await _send(app, "person 6", "Đề nghị sau khi có trả lời")).status_code == 303
    monkeypatch.setenv(store.MAX_OPEN_BYTES_VARIABLE, "150")  # bytes of pending requests, whatever their count
    monkeypatch.setenv(store.MAX_OPEN_VARIABLE, "100")
    assert (await _send(app, "person 7", "x" * 60)).status_code == 429
    assert len(store.all_requests(path)) == 4


def test_twenty_requests_sent_at_once_to_two_servers_on_one_store_are_each_stored_once(release, tmp_path, monkeypatch):
    path = tmp_path / "requests.db"  # created by whichever server stores first, while the other writes too
    monkeypatch.setenv(store.PATH_VARIABLE, str(path))
    start = threading.Barrier(20)

    def send(n: int, bases: tuple[str, str]) -> int:
        with visitor(bases[n % 2], f"concurrent {n}") as client:
            token = open_form(client)
            start.wait(timeout=60)
            return client.post(
                FORM, data={"csrftoken": token, "kind": "new_dataset", "message": f"Yêu cầu đồng thời số {n:02d}"}
            ).status_code

    with (
        serving(lambda port: serve.command(release, port=port), probe="/robots.txt") as first,
        serving(lambda port: serve.command(release, port=port), probe="/robots.txt") as second,
        ThreadPoolExecutor(max_workers=20) as pool,
    ):
        statuses = list(pool.map(lambda n: send(n, (first, second)), range(20)))
    assert statuses == [303] * 20
    counts = Counter(row["message"] for row in store.all_requests(path))
    assert counts == Counter({f"Yêu cầu đồng thời số {n:02d}": 1 for n in range(20)})


def test_the_admin_command_lists_open_requests_first_and_refuses_bad_answers_in_one_line(tmp_path):
    path = tmp_path / "requests.db"
    for n in range(3):
        store.submit(path, store.Submission("new_dataset", None, f"Đề nghị số {n + 1}", None, None, "vi"))
    assert command(path, "answer", "1", "Đã có trong danh mục").returncode == 0
    listed = command(path, "list").stdout
    assert [int(n) for n in re.findall(r"^(\d+)\s+(?:open|answered)\s", listed, flags=re.M)] == [2, 3, 1]
    for argv, says in [
        (["answer", "x", "a"], "ID must be a request's number"),
        (["answer", "99", "a"], "no request has id 99"),
        (["answer", "1", "again"], "request 1 was already answered"),
        (["answer", "2", "  "], "the answer is empty"),
    ]:
        result = command(path, *argv)
        assert result.returncode == 1 and result.stderr.startswith(f"error: {says}"), (argv, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert command(tmp_path / "nobody-wrote.db", "answer", "1", "a").returncode == 1
    assert not (tmp_path / "nobody-wrote.db").exists()


async def test_each_dataset_names_its_publisher_and_mailbox_in_the_catalogues(release):
    app = serve.app(release)
    data_json = (await app.client.get("/data.json")).json()
    points = {d["landingPage"].rsplit("/", 1)[1]: d["contactPoint"] for d in data_json["dataset"]}
    assert points["tasks"] == {
        "@type": "vcard:Contact",
        "fn": "Sở Khoa học và Công nghệ",
        "hasEmail": "mailto:so-khcn@quangninh.example",
    }
    assert points["tasks_tp"]["fn"] == "Sở Tư pháp"  # no mailbox of its own: the portal's stands in
    assert points["tasks_tp"]["hasEmail"] == "mailto:dulieumo@quangninh.example"
    dcat = (await app.client.get("/catalog.jsonld")).text
    assert "mailto:so-khcn@quangninh.example" in dcat and "mailto:dulieumo@quangninh.example" in dcat
    ckan = (await app.client.get("/api/3/action/package_show?id=tasks")).json()["result"]
    assert ckan["maintainer_email"] == "so-khcn@quangninh.example"
    english = (await app.client.get("/datasets/tasks_tp?lang=en")).text
    assert "Department of Justice" in english and 'href="/yeu-cau/gui?dataset=tasks_tp"' in english


def test_a_malformed_publisher_address_stops_the_build_naming_the_field(tmp_path):
    manifest = MANIFEST.replace(
        'en: "Department of Science and Technology"}',
        'en: "Department of Science and Technology", email: "khcn at tinh"}',
    )
    with pytest.raises(ManifestError, match="email"):
        load_manifest(write(tmp_path / "manifest.yml", manifest))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.usefixtures("chromium")
def test_a_visitor_on_a_phone_reports_a_problem_from_the_dataset_page(chromium, served, store_path):
    with offline_page(chromium, served, 390, 844) as opened:
        page = opened.page
        page.goto("/datasets/tasks")
        page.get_by_role("link", name="Báo lỗi hoặc góp ý về tập dữ liệu này").click()
        page.wait_for_url("**/yeu-cau/gui?dataset=tasks")
        assert page.get_by_label("Tập dữ liệu", exact=True).input_value() == "tasks"
        assert page.get_by_label("Báo lỗi trong một tập dữ liệu", exact=True).is_checked()
        message = "Thời hạn của nhiệm vụ 002 có vẻ sai năm"
        page.get_by_label("Nội dung", exact=True).fill(message)
        page.get_by_label("Họ tên (không bắt buộc)", exact=True).fill("Trần Thị Hoa")
        page.get_by_label("Thư điện tử (không bắt buộc, để nhận câu trả lời)", exact=True).fill("hoa@example.org")
        for width in (390, 360):
            page.set_viewport_size({"width": width, "height": 844})
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        shoot(page, "requests-form-360")
        box = page.locator("#req-website").bounding_box()  # the bots' field: off the screen, out of the tab order
        assert box["x"] + box["width"] <= 0 and page.locator("#req-website").get_attribute("tabindex") == "-1"
        page.get_by_role("button", name="Gửi").click()
        page.wait_for_url("**/yeu-cau/da-gui")
        assert page.get_by_role("heading", level=1).inner_text() == "Đã nhận yêu cầu"
        page.goto("/yeu-cau/gui?lang=en")
        assert page.get_by_label("Your request", exact=True).is_visible()
    [row] = stored(store_path, message)
    assert (row["name"], row["email"], row["dataset"]) == ("Trần Thị Hoa", "hoa@example.org", "tasks")
