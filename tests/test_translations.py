"""Every page the portal serves speaks the reader's language: Vietnamese first, English with ?lang=en, on the
portal's own pages and on Datasette's (table, row, database, query, errors), from one catalogue (locale/)."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import datasette
import httpx
import pytest
import sqlite_utils
from datasette.utils.asgi import Request

from plugins.portal_site import language, translations
from scripts.ops import messages
from scripts.serve import command as serve

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = Path(datasette.__file__).parent / "templates"

# Datasette 0.65.5's English interface, collected from its templates and views: none may show on a Vietnamese page.
DATASETTE_ENGLISH = [
    r"\b\d[\d,.]* rows?\b",
    r"\bsorted by\b",
    r"\bwhere \w+ (=|contains)",
    "Search:",
    r"\bApply\b",
    "This data as",
    "View and edit SQL",
    "Advanced export",
    "JSON shape",
    "CSV options",
    "download file",
    "expand labels",
    "Export CSV",
    "Suggested facets",
    "Next page",
    "- column -",
    "- remove filter -",
    r"\bSort by\b",
    "Sort...",
    r"\bdescending\b",
    "Powered by",
    "Data license",
    "Data source",
    r"\bAbout:",
    "Queries took",
    "Custom SQL query",
    r"\bRun SQL\b",
    "Format SQL",
    "Links from other tables",
    r"\bError \d{3}\b",
    "not found",
    "Forbidden",
    "You do not have permission",
    "Invalid SQL",
    "Statement must be",
    r"\bTables\b",
    r"\bhidden tables?\b",
    "Download SQLite DB",
    r"\bstarts with\b",
    r"\bends with\b",
    r"\bis not null\b",
    r"\bhome\b",
    "Too many requests",
    "Internal error",
    "0 records",
    "0 results",
    r"\bNavigation\b",
]


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text and the labelling attributes, without scripts, styles, comments, or
    elements marked as another language than the page's (the metadata's <p lang="en"> beside its Vietnamese)."""

    SKIP = {"script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str):
        super().__init__()
        self.lang, self.stack, self.parts = lang, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in self.SKIP or (attrs.get("lang") not in (None, self.lang) and tag != "html")
        if tag not in self.VOID:
            self.stack.append(skipped)
        if not any(self.stack) and not skipped:
            names = ("title", "aria-label", "placeholder", "alt") + (
                ("value",) if tag == "input" and attrs.get("type") in ("submit", "button", "reset") else ()
            )
            self.parts += [attrs[name] for name in names if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = VisibleText(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str) -> list[str]:
    return [pattern for pattern in DATASETTE_ENGLISH if re.search(pattern, text)]


@pytest.fixture(scope="module")
def sample(sample_release):
    return serve.app(sample_release.release)


PAGES = {
    "home": "/",
    "dataset page": "/datasets/deaths_by_age_band",
    "search": "/search?q=dich+vu+cong",
    "api guide": "/api",
    "requests": "/yeu-cau",
    "catalogue table": "/portal/catalogue",
    "table": "/portal/online_procedures",
    "count table with suppressed cells": "/portal/deaths_by_age_band",
    "filtered table with facets": "/portal/deaths_by_age_band?sex=Nam&age_band__startswith=2&_facet=year&_sort=year",
    "row": "/portal/project06_tasks/01",
    "database": "/portal",
    "query": "/portal?sql=select+commune_code,+commune_name,+area_km2+from+communes+limit+3",
    "400": "/portal?sql=selec",
    "400 sort": "/portal/deaths_by_age_band?_sort=nope",
    "403": "/restricted",
    "404 database": "/nowhere",
    "404 table": "/portal/nowhere",
}
ERRORS = {"400": 400, "400 sort": 400, "403": 403, "404 database": 404, "404 table": 404}


@pytest.fixture(scope="module")
def pages(sample):
    import asyncio

    async def fetch_all():
        found = {}
        for lang in ("vi", "en"):
            for name, path in PAGES.items():
                url = path + ("&" if "?" in path else "?") + "lang=en" if lang == "en" else path
                found[lang, name] = await sample.client.get(url, headers={"Accept": "text/html"})
        return found

    return asyncio.run(fetch_all())


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_is_vietnamese_without_datasettes_english(pages, name):
    response = pages["vi", name]
    assert response.status_code == ERRORS.get(name, 200), response.text[:300]
    assert '<html lang="vi">' in response.text
    text = visible_text(response.text, "vi")
    assert not english_in(text), (english_in(text), text[:2000])


ENGLISH_EXPECTED = {
    "table": ["rows", "Apply", "This data as", "Advanced export", "Powered by"],
    "count table with suppressed cells": ["hidden", "Data license:"],
    "filtered table with facets": ["rows where Age band at death starts with", 'and Sex = "Nam"', "sorted by Year"],
    "row": ["This data as"],
    "database": ["Custom SQL query", "Run SQL", "Tables"],
    "query": ["Custom SQL query", "returning 3 rows"],
    "400": ["Invalid SQL", "Statement must be a SELECT"],
    "400 sort": ["Error 400", "Cannot sort table by nope"],
    "403": ["Forbidden", "You do not have permission"],
    "404 database": ["Error 404", "Database not found"],
    "404 table": ["Error 404", "Table not found"],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_is_english_with_lang_en(pages, name):
    response = pages["en", name]
    assert response.status_code == ERRORS.get(name, 200)
    assert '<html lang="en">' in response.text
    text = visible_text(response.text, "en")
    for expected in ENGLISH_EXPECTED.get(name, []):
        assert expected in text, (expected, text[:2000])


@pytest.mark.slow
def test_vietnamese_tables_show_labels_numbers_dates_and_suppressed_cells_in_words(pages):
    table = pages["vi", "filtered table with facets"].text
    assert 'title="sex"' in table and ">Giới tính<" in table  # the label, the identifier in a tooltip
    assert re.search(
        r'dòng có Nhóm tuổi khi mất bắt đầu bằng "2" và Giới tính là "Nam" sắp xếp theo Năm', visible_text(table, "vi")
    )
    assert '<a class="suppressed" href="/datasets/deaths_by_age_band#disclosure"' in table
    assert ">ẩn</a>" in table and ">suppressed<" not in table
    assert '<h2 id="disclosure">' in pages["vi", "dataset page"].text
    query = visible_text(pages["vi", "query"].text, "vi")
    assert re.search(r"\b\d+,\d+\b", query)  # the area's decimal comma
    row = visible_text(pages["vi", "row"].text, "vi")
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", row)  # the deadline as vi writes dates
    assert re.search(
        r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b",
        visible_text(pages["en", "row"].text, "en"),
    )


async def test_json_stays_raw_and_json_errors_are_translated(sample):
    rows = (await sample.client.get("/portal/communes.json?_shape=array&_size=1")).json()
    assert isinstance(rows[0]["area_km2"], float)
    dated = (await sample.client.get("/portal/project06_tasks.json?_shape=array&_size=1")).json()
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", dated[0]["deadline"])
    for path, vi, en in (
        ("/portal/nowhere.json", "Không có bảng này", "Table not found"),
        ("/portal.json?sql=selec", "Câu lệnh phải là SELECT", "Statement must be a SELECT"),
        ("/restricted.json", "Bạn không có quyền", "You do not have permission"),
    ):
        error = (await sample.client.get(path)).json()
        assert error["error"].startswith(vi)
        english = (await sample.client.get(path + ("&" if "?" in path else "?") + "lang=en")).json()
        assert english["error"].startswith(en)
    invalid = (await sample.client.get("/portal.json?sql=selec")).json()
    assert invalid["title"] == "Câu lệnh SQL không hợp lệ"


async def test_an_unknown_language_falls_back_to_vietnamese_and_lang_never_filters_a_table(sample):
    for lang in ("fr", "", "EN", "xx&lang=de"):
        response = await sample.client.get(f"/portal/deaths_by_age_band?lang={lang}")
        assert response.status_code == 200 and '<html lang="vi">' in response.text
        assert "dòng" in response.text and "lang" not in visible_text(response.text, "vi")
    counted = (await sample.client.get("/portal/deaths_by_age_band.json?lang=en&_size=1")).json()
    unfiltered = (await sample.client.get("/portal/deaths_by_age_band.json?_size=1")).json()
    assert counted["filtered_table_rows_count"] == unfiltered["filtered_table_rows_count"] > 0


async def test_a_500_is_in_the_readers_language(sample):
    from datasette.plugins import pm

    await sample.invoke_startup()
    for lang, expected in (("vi", "Lỗi hệ thống"), ("en", "Internal error")):
        token = language.serving_in(lang)
        try:
            for path in ("/portal/x", "/portal/x.json"):
                request = Request.fake(path)
                results = [
                    r
                    for r in pm.hook.handle_exception(datasette=sample, request=request, exception=RuntimeError("boom"))
                    if r
                ]
                response = await results[0]()
                body = json.loads(response.body)["error"] if path.endswith(".json") else response.body
                assert response.status == 500 and expected in body and "boom" not in response.body
        finally:
            language.reset(token)


async def _limited_release(root: Path) -> Path:
    from datasette.cli import inspect_ as _unused  # noqa: F401 - the inspect file is written below as the build does

    from plugins.portal_site.compat import inspect_files

    root.mkdir(parents=True)
    sqlite_utils.Database(root / "portal.db")["tasks"].insert({"code": "001"}, pk="code")
    metadata = {"title": "Cổng dữ liệu mở", "plugins": {"rate-limit": {"rate": 0.1, "burst": 1}}}
    (root / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    (root / "inspect.json").write_text(json.dumps(await inspect_files([str(root / "portal.db")])))
    return root


async def test_a_429_is_a_page_for_a_browser_and_json_for_the_api_in_the_readers_language(tmp_path):
    portal = serve.app(await _limited_release(tmp_path / "build" / "releases" / "0001"), tmp_path / "tokens.db")
    cases = [
        ("vi", {"Accept": "text/html"}, "Quá nhiều yêu cầu", "text/html"),
        ("en", {"Accept": "text/html"}, "Too many requests", "text/html"),
        ("vi", {"Accept": "application/json"}, "Quá nhiều yêu cầu", "application/json"),
    ]
    for index, (lang, headers, expected, kind) in enumerate(cases):
        address = f"203.0.113.{index + 1}"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=portal.app(), client=(address, 40000)), base_url="http://localhost"
        ) as client:
            assert (await client.get("/portal/tasks", headers=headers)).status_code == 200
            refused = await client.get(f"/portal/tasks?lang={lang}", headers=headers)
        assert refused.status_code == 429 and refused.headers["content-type"].startswith(kind)
        body = refused.json()["error"] if kind == "application/json" else visible_text(refused.text, lang)
        assert expected in body
        if kind == "text/html":
            assert f'<html lang="{lang}">' in refused.text
            assert bool(english_in(body)) == (lang == "en")


def test_every_marked_string_has_a_translation_in_every_catalogue():
    template = messages.extract()
    assert len(template) > 150
    assert [problem for lang in messages.languages() for problem in messages.problems(template, lang)] == []


def test_a_missing_translation_is_reported_not_shown_empty(tmp_path, monkeypatch):
    # A catalogue without one of its translations: the check names it, and the page falls back to the msgid.
    source = translations.catalogue_path("vi").read_text(encoding="utf-8")
    broken = source.replace('msgid "Apply"\nmsgstr "Áp dụng"', 'msgid "Apply"\nmsgstr ""')
    assert broken != source
    target = tmp_path / "vi" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    target.write_text(broken, encoding="utf-8")
    monkeypatch.setattr(translations, "LOCALE_DIR", tmp_path)
    translations.catalogue.cache_clear()
    try:
        problems = messages.problems(messages.extract(), "vi")
        assert problems == ["vi: no translation for 'Apply' (templates/table.html:126)"] or (
            len(problems) == 1 and "'Apply'" in problems[0]
        )
        assert translations.gettext("Apply", "vi") == "Apply"
    finally:
        translations.catalogue.cache_clear()


def test_the_copied_upstream_templates_are_those_of_the_installed_datasette():
    pinned = {}
    for line in (ROOT / "templates" / "UPSTREAM.sha256").read_text().splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split()
            pinned[name] = digest
    installed = {name: hashlib.sha256((UPSTREAM / name).read_bytes()).hexdigest() for name in pinned}
    assert installed == pinned, "Datasette's templates changed: compare templates/ with the new ones, then re-pin"
    # index.html is the portal's own home page, written anew rather than copied.
    overridden = {
        path.name
        for path in (ROOT / "templates").glob("*.html")
        if (UPSTREAM / path.name).exists() and path.name != "index.html"
    }
    assert overridden == set(pinned), "every copy of a Datasette template is pinned"
