"""The visitor's language: `?lang=en` or `?lang=vi`, remembered in a cookie; Vietnamese by default."""

from __future__ import annotations

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "portal_lang"


def chosen(query_lang: str | None) -> str | None:
    """The language a `lang` query parameter asks for, or None when it names none we serve."""
    return query_lang if query_lang in LANGUAGES else None


def language(request) -> str:
    """The language of this request: the query parameter first, then the cookie, then Vietnamese."""
    if request is None:
        return DEFAULT
    return chosen(request.args.get("lang")) or chosen(request.cookies.get(COOKIE)) or DEFAULT


def switch_url(lang: str) -> str:
    """A link to the current page in another language.

    Relative and without the rest of the query: echoing the address would print restricted table names, or the
    SQL that named them, on the 403 page that must not reveal them.
    """
    return f"?lang={lang}"


def translator(lang: str):
    """A function that picks the Vietnamese or the English of a pair."""
    return lambda vi, en: en if lang == "en" else vi
