"""What a public page tells search engines and other portals in its <head>: description, canonical address,
vi/en alternates (hreflang), Open Graph, and the Dublin Core elements Circular 24/2011/TT-BTTTT asks of state
agencies' pages (DC.title, DC.creator, DC.date, DC.description, DC.publisher, DC.identifier, with DC.language,
DC.subject and DC.rights)."""

from __future__ import annotations

from . import catalogue

LOCALES = {"vi": "vi_VN", "en": "en_US"}


def portal_name(datasette, lang: str) -> str:
    vi, en = catalogue.portal_titles(datasette)
    return (en or vi) if lang == "en" else vi


def addresses(url: str) -> dict:
    """The canonical address of each language's version of a page: Vietnamese without parameters."""
    return {"vi": url, "en": f"{url}?lang=en"}


def short(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, cut between words."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def meta(
    datasette,
    lang: str,
    url: str,
    title: str,
    description: str,
    *,
    creator: str = "",
    date: str = "",
    subject: str = "",
    rights: str = "",
    kind: str = "website",
) -> dict:
    versions = addresses(url)
    publisher_vi, _ = catalogue.portal_publisher(datasette)
    description = short(description)
    return {
        "title": title,
        "description": description,
        "canonical": versions[lang],
        "alternates": [("vi", versions["vi"]), ("en", versions["en"]), ("x-default", url)],
        "og": {
            "og:type": kind,
            "og:title": title,
            "og:description": description,
            "og:url": versions[lang],
            "og:site_name": portal_name(datasette, lang),
            "og:locale": LOCALES[lang],
            "og:locale:alternate": LOCALES["en" if lang == "vi" else "vi"],
        },
        "dc": {
            "DC.title": title,
            "DC.creator": creator or publisher_vi,
            "DC.date": date[:10],
            "DC.description": description,
            "DC.publisher": publisher_vi,
            "DC.identifier": url,
            "DC.language": lang,
            "DC.subject": subject,
            "DC.rights": rights,
            "DC.type": "Dataset" if kind == "article" else "Service",
        },
    }
