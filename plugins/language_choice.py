"""Vietnamese pages by default, English with `?lang=en`: the choice is remembered in a cookie.

Every request is served in its language (language.current()), which the templates' `_()` reads through Jinja's
i18n extension and the one catalogue (plugins/portal_site/translations.py).
"""

from urllib.parse import parse_qs, unquote_to_bytes

from datasette import hookimpl
from jinja2 import pass_context

from .portal_site import language, translations

ONE_YEAR = 365 * 24 * 3600


@hookimpl
def extra_template_vars(request):
    lang = language.language(request)
    return {
        "lang": lang,
        "lang_urls": {code: language.switch_url(code) for code in language.LANGUAGES},
    }


@pass_context
def _gettext(context, message):
    return translations.gettext(message)


@pass_context
def _ngettext(context, singular, plural, count):
    return translations.ngettext(singular, plural, count)


@pass_context
def _pgettext(context, message_context, message):
    return translations.pgettext(message_context, message)


@hookimpl
def prepare_jinja2_environment(env):
    # newstyle: `_("%(n)s rows", n=...)` formats after translating, and escapes what it inserts.
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext)
    # Error pages are rendered without plugin variables: these read the request's language themselves.
    env.globals.update(
        lang=language.DEFAULT,
        page_lang=language.current,
        lang_urls={code: language.switch_url(code) for code in language.LANGUAGES},
    )


def middleware(datasette):
    def wrap(app):
        async def in_its_language(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            lang = language.from_scope(scope)
            asked = language.chosen(_query_lang(scope))
            token = language.serving_in(lang)
            # `lang` is the portal's parameter, not a column: Datasette would filter a table by it (no rows).
            scope = dict(scope, query_string=without_lang(scope.get("query_string") or b""))

            async def send_with_cookie(event):
                if event["type"] == "http.response.start" and asked:
                    cookie = f"{language.COOKIE}={asked}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax"
                    event = dict(event, headers=list(event.get("headers", [])) + [[b"set-cookie", cookie.encode()]])
                await send(event)

            try:
                return await app(scope, receive, send_with_cookie)
            finally:
                language.reset(token)

        return in_its_language

    return wrap


def _query_lang(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("lang") or [None])[-1]


def without_lang(query: bytes) -> bytes:
    """The query string without its `lang` parameters, the others byte for byte as sent."""
    return b"&".join(part for part in query.split(b"&") if part and unquote_to_bytes(part.split(b"=")[0]) != b"lang")
