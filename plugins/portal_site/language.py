"""The visitor's language: `?lang=en` or `?lang=vi`, remembered in a cookie; Vietnamese by default."""

from __future__ import annotations

import contextvars
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "portal_lang"
# The language of the request being served, set by plugins/language_choice.py's layer for everything under it:
# Datasette's own error pages and render_cell hooks are not handed the request, and read it here.
_current = contextvars.ContextVar("portal_language", default=None)


def chosen(query_lang: str | None) -> str | None:
    """The language a `lang` query parameter asks for, or None when it names none we serve."""
    return query_lang if query_lang in LANGUAGES else None


def language(request) -> str:
    """The language of this request: the query parameter first, then the cookie, then Vietnamese."""
    if request is None or _current.get():
        return current()  # the layer read `lang` before taking it out of the query string Datasette sees
    return chosen(request.args.get("lang")) or chosen(request.cookies.get(COOKIE)) or DEFAULT


def from_scope(scope) -> str:
    """The language of an ASGI request, read as language() reads it: `?lang=`, the cookie, Vietnamese."""
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    asked = chosen((query.get("lang") or [None])[-1])
    if asked:
        return asked
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            cookies = SimpleCookie()
            try:
                cookies.load(value.decode("latin-1"))
            except CookieError:  # a malformed cookie header chooses nothing
                continue
            if COOKIE in cookies and chosen(cookies[COOKIE].value):
                return cookies[COOKIE].value
    return DEFAULT


def current() -> str:
    """The language of the request being served (Vietnamese outside any request)."""
    return _current.get() or DEFAULT


def serving_in(lang: str):
    """Make `lang` the current language; returns the token to reset it with."""
    return _current.set(lang)


def reset(token) -> None:
    _current.reset(token)


def switch_url(lang: str) -> str:
    """A link to the current page in another language.

    Relative and without the rest of the query: echoing the address would print restricted table names, or the
    SQL that named them, on the 403 page that must not reveal them.
    """
    return f"?lang={lang}"
