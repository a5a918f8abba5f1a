"""Atom feeds (RFC 4287) written with ElementTree, so every title and summary is escaped as XML requires."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ET.register_namespace("", NS)


@dataclass
class Entry:
    id: str
    title: str
    updated: str  # RFC 3339
    link: str
    summary: str
    content_html: str
    category: str


@dataclass
class Feed:
    id: str  # the feed's own address, which is also its rel="self" link
    title: str
    subtitle: str
    updated: str
    alternate: str
    author: str
    entries: list[Entry]
    lang: str = "vi"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", attributes)
    element.text = text
    return element


def render(feed: Feed) -> bytes:
    """The feed as an Atom XML document in UTF-8."""
    root = ET.Element(f"{{{NS}}}feed", {XML_LANG: feed.lang})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title)
    _add(root, "subtitle", feed.subtitle)
    _add(root, "updated", feed.updated)
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.id)
    _add(root, "link", rel="alternate", type="text/html", href=feed.alternate)
    _add(_add(root, "author"), "name", feed.author)
    for entry in feed.entries:
        element = _add(root, "entry")
        _add(element, "id", entry.id)
        _add(element, "title", entry.title)
        _add(element, "updated", entry.updated)
        _add(element, "published", entry.updated)
        _add(element, "link", rel="alternate", type="text/html", href=entry.link)
        _add(element, "category", term=entry.category)
        _add(element, "summary", entry.summary)
        _add(element, "content", entry.content_html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
