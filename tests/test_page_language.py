"""Each page in one language: the table pages' description written by the build shows only the reader's half, and
the dataset page names enumerations and writes numbers in the reader's language, the disclosure summary included."""

from __future__ import annotations

import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plugins.portal_site import formats
from scripts.serve import command as serve

VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}


class OneLanguage(HTMLParser):
    """The text of the table page's description as a reader of `lang` sees it: what static/portal.css hides
    (an element marked with the other language's `lang`) left out."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang, self.depth, self.hidden_at, self.inside, self.text = lang, 0, None, None, []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.depth += 1
        attrs = dict(attrs)
        if self.inside is None and "metadata-description" in (attrs.get("class") or "").split():
            self.inside = self.depth
        if self.inside and self.hidden_at is None and attrs.get("lang") not in (None, self.lang):
            self.hidden_at = self.depth

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.hidden_at == self.depth:
            self.hidden_at = None
        if self.inside == self.depth:
            self.inside = None
        self.depth -= 1

    def handle_data(self, data):
        if self.inside and self.hidden_at is None:
            self.text.append(data)


def seen(html: str, lang: str) -> str:
    parser = OneLanguage(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.text).split())


def test_the_stylesheet_hides_the_other_language_of_the_description():
    css = (Path(__file__).resolve().parents[1] / "static" / "portal.css").read_text(encoding="utf-8")
    assert (
        'html[lang="vi"] .metadata-description [lang="en"], html[lang="en"] .metadata-description [lang="vi"] '
        "{ display: none; }"
    ) in css


async def test_a_table_page_shows_its_description_in_one_language(portal):
    vietnamese = seen((await portal.client.get("/portal/tasks")).text, "vi")
    english = seen((await portal.client.get("/portal/tasks?lang=en")).text, "en")
    for label in ("Đơn vị công bố", "Chủ đề", "Phê duyệt", "Tần suất cập nhật", "Giấy phép", "Hằng tháng"):
        assert label in vietnamese and label not in english, label
    for label in ("Publisher", "Theme", "Approval", "Update frequency", "Licence", "Monthly"):
        assert label in english and label not in vietnamese, label
    assert "CC-BY-4.0" in vietnamese and "CC-BY-4.0" in english  # a value with one form shows in both


@pytest.fixture(scope="module")
def sample(sample_release):
    return serve.app(sample_release.release), sample_release.release


async def test_the_dataset_page_names_enumerations_in_the_readers_language(sample):
    app, _ = sample
    vietnamese = (await app.client.get("/datasets/residents_by_commune_sex_age")).text
    english = (await app.client.get("/datasets/residents_by_commune_sex_age?lang=en")).text
    assert "<dd>Công khai</dd>" in vietnamese and "<dd>Public</dd>" in english
    assert "<td>số nguyên</td>" in vietnamese and "<td>integer</td>" in english
    assert "<td>integer</td>" not in vietnamese and "<td>string</td>" not in vietnamese
    assert "Hằng năm</dd>" in vietnamese or "Hằng quý</dd>" in vietnamese or "Hằng tháng</dd>" in vietnamese
    assert "monthly</dd>" not in vietnamese and "annual</dd>" not in vietnamese


async def test_the_disclosure_summary_writes_numbers_in_the_readers_language(sample):
    app, release = sample
    with sqlite3.connect(release / "portal.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("select * from disclosure_report where dataset = 'residents_by_commune_sex_age'").fetchone()
    assert row["rows_in"] >= 1000  # a number that is grouped
    for lang in ("vi", "en"):
        text = (await app.client.get(f"/datasets/residents_by_commune_sex_age?lang={lang}")).text
        summary = text[text.index('id="disclosure"') : text.index('id="releases"')]
        assert f"{formats.number(row['rows_in'], lang)} / {formats.number(row['rows_out'], lang)}" in summary
        assert formats.percent(row["cells_hidden_share"], lang) in summary
    assert formats.number(row["rows_in"], "vi") != formats.number(row["rows_in"], "en")
