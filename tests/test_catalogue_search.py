"""The ranked catalogue search (/search, /search.json) on the real build of the small sample, served by the real app."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from plugins.portal_site import contract
from plugins.portal_site.search_text import fold, words
from scripts.serve import command as serve
from scripts.serve import token_store

pytestmark = pytest.mark.slow
RESIDENTS = "residents_by_commune_sex_age"
VNEID = {"vneid_registrations_by_commune_month", "vneid_activations_by_commune_month"}
RESTRICTED = ("vneid_accounts_pseudonymised", "online_applications_pseudonymised")
PLACE = "Phường Hạ Long"  # a ward of the sample's communes table


@pytest.fixture(scope="module")
def portal_db(sample_release):
    return sqlite3.connect(sample_release.release / "portal.db")


@pytest.fixture
def tier(sample_release, tmp_path):
    """The sample served with a restricted tier and a token for the first restricted dataset only."""
    tokens = tmp_path / "tokens.db"
    _, token = token_store.create(tokens, "Sở Y tế", RESTRICTED[0], token_store.expiry("2099-12-31", dt.date.today()))
    return serve.app(sample_release.release, tokens), {"Authorization": f"Bearer {token}"}


async def found(app, headers=None, **params):
    response = await app.client.get("/search.json", params=params, headers=headers or {})
    assert response.status_code == 200, response.text[:300]
    return response.json()


def ids(result: dict) -> list[str]:
    return [item["id"] for item in result["results"]]


def test_folding_makes_diacritics_and_d_optional_and_leaves_no_syntax():
    assert fold("Đăng ký khai sinh ở Hạ Long") == "dang ky khai sinh o ha long"
    assert words('"a" NEAR(b) -c:* x_y') == ["a", "near", "b", "c", "x", "y"]


async def test_population_ranks_the_residents_dataset_first(tier):
    app, _ = tier
    assert ids(await found(app, q="dân số"))[0] == RESIDENTS
    assert ids(await found(app, q="dan so"))[0] == RESIDENTS


async def test_vneid_ranks_the_vneid_datasets_before_the_others(tier):
    app, _ = tier
    result = ids(await found(app, q="VNeID"))
    assert set(result[:2]) == VNEID and len(result) > 2, result


@pytest.mark.parametrize("query", ["Ha Long", "ha long", "HẠ LONG", "hạ long"])
async def test_a_query_without_diacritics_finds_what_the_accented_one_does(tier, query):
    app, _ = tier
    accented = await found(app, q="Hạ Long")
    plain = await found(app, q=query)
    assert [(r["id"], r["score"], r["matching_rows"]) for r in plain["results"]] == [
        (r["id"], r["score"], r["matching_rows"]) for r in accented["results"]
    ]
    assert ids(await found(app, q="dang ky khai sinh")) == ids(await found(app, q="Đăng ký khai sinh"))


async def test_a_place_finds_every_dataset_with_rows_for_it_and_counts_them(tier, portal_db):
    app, _ = tier
    [(code,)] = portal_db.execute("select commune_code from communes where commune_name = ?", [PLACE]).fetchall()
    expected = {"communes": 1}
    for (table,) in portal_db.execute("select id from catalogue"):
        columns = {row[1] for row in portal_db.execute(f"pragma table_info([{table}])")}
        if "commune_code" in columns and table != "communes":
            rows = portal_db.execute(f"select count(*) from [{table}] where commune_code = ?", [code]).fetchone()[0]
            if rows:
                expected[table] = rows
    assert len(expected) >= 4  # the sample's datasets by commune
    result = await found(app, q="Hạ Long")
    counted = {r["id"]: r["matching_rows"] for r in result["results"] if r["matching_rows"]}
    assert {k: v for k, v in counted.items() if k in expected} == expected
    assert set(ids(result)[: len(expected)]) == set(expected)  # the datasets of the place rank first
    hit = next(r for r in result["results"] if r["id"] == RESIDENTS)
    assert hit["matched"]["values"] == [PLACE] and hit["matched"]["column"] == "commune_code"
    rows = await app.client.get(hit["matched"]["rows_url"].replace("?", ".json?", 1))
    assert rows.json()["filtered_table_rows_count"] == expected[RESIDENTS]  # the link shows exactly those rows


async def test_an_empty_query_lists_every_dataset_in_a_stable_order(tier, portal_db):
    app, _ = tier
    first, again = await found(app, q=""), await found(app)
    catalogue = {row[0]: row[1] for row in portal_db.execute("select id, title_vi from catalogue")}
    assert set(ids(first)) == set(catalogue) and ids(first) == ids(again)
    assert ids(first) == sorted(catalogue, key=lambda i: (fold(catalogue[i]), i))
    assert all(r["score"] is None and r["matching_rows"] is None for r in first["results"])


HOSTILE = [
    '"',
    '""',
    "*",
    "a*",
    "NEAR",
    "NEAR(a b)",
    "a NEAR b",
    "-",
    "-a",
    ":",
    "title:x",
    "{title}:x",
    "(",
    ")",
    "a AND",
    "OR",
    "NOT a",
    "^a",
    "a + b",
    "'",
    "\\",
    "%",
    "\u200b",
    "\ufeff",
    "x" * 7000,
    " ".join(["dân"] * 600),
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("path", ["/search", "/search.json"])
async def test_hostile_queries_are_answered_never_with_a_500(tier, path, query):
    app, _ = tier
    response = await app.client.get(path, params={"q": query})
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    if response.status_code == 400:
        assert len(query) > 200 and "at most 200" in response.text
    elif path.endswith(".json"):
        assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("raw", [b"q=a%00b", b"q=" + b"x" * 10_000])
@pytest.mark.parametrize("path", ["/search", "/search.json"])
async def test_a_nul_byte_or_ten_kilobytes_is_a_400(tier, path, raw):
    app, _ = tier
    response = await app.client.get(f"{path}?{raw.decode()}")
    assert response.status_code == 400, response.text[:300]


async def test_the_json_has_a_ranked_list_and_the_facets(tier):
    app, _ = tier
    result = await found(app, q="dịch vụ công")
    assert result["query"] == "dịch vụ công" and result["total"] == len(result["results"]) > 0
    scores = [r["score"] for r in result["results"]]
    assert scores == sorted(scores, reverse=True) and all(isinstance(s, float) for s in scores)
    for item in result["results"]:
        assert {"id", "title_vi", "title_en", "score", "matching_rows", "matched", "url", "access"} <= set(item)
        assert item["title_vi"] and item["title_en"] and item["url"] == f"/datasets/{item['id']}"
    assert list(result["facets"]) == ["theme", "publisher", "access", "frequency", "format"]
    for values in result["facets"].values():
        assert all({"value", "label_vi", "label_en", "count", "selected"} == set(v) for v in values)


async def test_facets_filter_and_count_and_combine_with_the_query(tier):
    app, _ = tier
    everything = await found(app)
    themes = {v["value"]: v["count"] for v in everything["facets"]["theme"]}
    assert sum(themes.values()) == everything["total"] and len(themes) >= 3
    for theme, count in themes.items():
        assert (await found(app, theme=theme))["total"] == count
    two = sorted(themes)[:2]
    either = await app.client.get("/search.json", params=[("theme", two[0]), ("theme", two[1])])
    assert either.json()["total"] == themes[two[0]] + themes[two[1]]
    place = await found(app, q="Hạ Long", publisher="cong-an-tinh", frequency="annual")
    assert ids(place) == [RESIDENTS]
    assert (await found(app, theme="no-such-theme"))["total"] == 0


async def test_the_page_has_labelled_facets_in_vietnamese_then_english(tier):
    app, _ = tier
    page = (await app.client.get("/search", params={"q": "Hạ Long"})).text
    assert '<label for="portal-q">' in page and "<legend>Chủ đề</legend>" in page
    assert 'name="theme" value="dan-cu"' in page and "Phường Hạ Long" in page
    english = (await app.client.get("/search", params={"q": "ha long", "lang": "en"})).text
    assert "<legend>Theme</legend>" in english and "Population and civil status" in english
    assert "Residents by commune" in english and "Phường Hạ Long" in english


@pytest.mark.parametrize(
    "query", ["", "VNeID", "Toàn tỉnh", "Không công bố", "person key", "Ứng dụng VNeID", "Bí danh cá nhân"]
)
async def test_a_visitor_without_a_token_learns_nothing_of_the_restricted_tier(tier, query):
    app, _ = tier
    for path in ("/search", "/search.json", "/search?lang=en"):
        text = (await app.client.get(path, params={"q": query})).text
        assert not any(name in text for name in RESTRICTED), (path, query)
        assert "/restricted" not in text and "Hạn chế" not in text and "Restricted" not in text, (path, query)
    result = await found(app, q=query)
    assert {v["value"] for v in result["facets"]["access"]} <= {"public"}
    assert all(r["access"] == "public" for r in result["results"])


async def test_a_token_finds_its_own_restricted_dataset_and_no_other(tier):
    app, headers = tier
    result = await found(app, headers, q="VNeID")
    assert RESTRICTED[0] in ids(result) and RESTRICTED[1] not in ids(result)
    everything = await found(app, headers)
    assert RESTRICTED[0] in ids(everything) and RESTRICTED[1] not in ids(everything)
    access = {v["value"]: v["count"] for v in everything["facets"]["access"]}
    assert access["restricted"] == 1
    assert ids(await found(app, headers, access="restricted")) == [RESTRICTED[0]]


def test_each_database_indexes_only_its_own_datasets_and_no_pseudonym(sample_release):
    for name in contract.DATABASES:
        db = sqlite3.connect(sample_release.release / f"{name}.db")
        indexed = {row[0] for row in db.execute(f"select id from {contract.SEARCH_TABLE}")}
        valued = {row[0] for row in db.execute(f"select distinct dataset from {contract.SEARCH_VALUES_TABLE}")}
        published = (
            {row[0] for row in db.execute("select id from catalogue")} if name == contract.PUBLIC else set(RESTRICTED)
        )
        assert indexed == published and valued <= indexed, name
        columns = {row[0] for row in db.execute(f"select distinct column_name from {contract.SEARCH_VALUES_TABLE}")}
        assert "person_key" not in columns
