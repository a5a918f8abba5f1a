"""What crawlers and other portals read: sitemap, robots.txt, titles, descriptions, canonical and hreflang links,
Open Graph and the Dublin Core elements of Circular 24/2011/TT-BTTTT, on the real sample build."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from scripts.serve import command as serve
from scripts.serve import token_store

pytestmark = pytest.mark.slow
PORTAL = "Cổng dữ liệu mở tỉnh Quảng Ninh"
RESTRICTED = ("vneid_accounts_pseudonymised", "online_applications_pseudonymised")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CIRCULAR_24 = ("DC.title", "DC.creator", "DC.date", "DC.description", "DC.publisher", "DC.identifier")


class Head(HTMLParser):
    """The <title>, <meta> and <link> elements of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.meta, self.links, self.title, self._in_title = {}, [], "", False
        self.feed(text.split("</head>", 1)[0])  # the <title> of SVG figures in the body is not the page's

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta[attrs.get("name") or attrs["property"]] = attrs.get("content", "")
        elif tag == "link":
            self.links.append(attrs)
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


@pytest.fixture
def app(sample_release, tmp_path):
    tokens = tmp_path / "tokens.db"
    _, token = token_store.create(tokens, "Sở Y tế", "*", token_store.expiry("2099-12-31", dt.date.today()))
    return serve.app(sample_release.release, tokens), {"Authorization": f"Bearer {token}"}


async def test_sitemap_lists_every_public_page_in_both_languages_and_nothing_restricted(app):
    portal, token = app
    ids = [row["id"] for row in (await portal.client.get("/portal/catalogue.json?_shape=array")).json()]
    for headers in ({}, token):  # a token sees more, the sitemap never does
        response = await portal.client.get("/sitemap.xml", headers=headers)
        assert response.headers["content-type"].startswith("application/xml")
        root = ET.fromstring(response.text.encode())
        locations = [url.find(f"{SITEMAP}loc").text for url in root.iter(f"{SITEMAP}url")]
        expected = [
            "http://localhost/",
            "http://localhost/?lang=en",
            "http://localhost/api",
            "http://localhost/api?lang=en",
        ]
        expected += [f"http://localhost/datasets/{i}{lang}" for i in ids for lang in ("", "?lang=en")]
        assert sorted(locations) == sorted(expected) and len(ids) == 13
        assert not any(name in response.text for name in RESTRICTED)
    robots = (await portal.client.get("/robots.txt")).text
    assert "Sitemap: http://localhost/sitemap.xml" in robots.splitlines()


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_dataset_pages_carry_title_description_links_open_graph_and_dublin_core(app, lang):
    portal, _ = app
    rows = (await portal.client.get("/portal/catalogue.json?_shape=array")).json()
    for row in rows:
        url = f"http://localhost/datasets/{row['id']}"
        head = Head((await portal.client.get(f"/datasets/{row['id']}?lang={lang}")).text)
        title = (
            f"{row['title_en']} · Quang Ninh Province Open Data Portal"
            if lang == "en"
            else f"{row['title_vi']} · {PORTAL}"
        )
        assert head.title == title and head.meta["og:title"] == title == head.meta["DC.title"]
        assert 20 < len(head.meta["description"]) <= 300 and head.meta["og:description"]
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [url if lang == "vi" else f"{url}?lang=en"]
        hreflang = {link["hreflang"]: link["href"] for link in head.links if link.get("hreflang")}
        assert hreflang == {"vi": url, "en": f"{url}?lang=en", "x-default": url}
        assert [name for name in CIRCULAR_24 if not head.meta.get(name)] == [], row["id"]
        assert head.meta["DC.identifier"] == url and re.match(r"^\d{4}-\d{2}-\d{2}$", head.meta["DC.date"])
        assert head.meta["DC.creator"] == (row["publisher_en"] if lang == "en" else row["publisher"])
        assert head.meta["DC.language"] == lang


async def test_home_page_is_described_too(app):
    portal, _ = app
    head = Head((await portal.client.get("/")).text)
    assert head.title == PORTAL and head.meta["og:site_name"] == PORTAL
    assert head.meta["description"].startswith("Dữ liệu mẫu") and len(head.meta["description"]) <= 300
    assert [name for name in CIRCULAR_24 if not head.meta.get(name)] == ["DC.date"]
