"""Vietnamese pages by default, English with `?lang=en`: the choice is remembered in a cookie."""

from urllib.parse import parse_qs

from datasette import hookimpl

from .portal_site import language

ONE_YEAR = 365 * 24 * 3600


@hookimpl
def extra_template_vars(request):
    lang = language.language(request)
    return {
        "lang": lang,
        "t": language.translator(lang),
        "lang_urls": {code: language.switch_url(code) for code in language.LANGUAGES},
    }


@hookimpl
def prepare_jinja2_environment(env):
    # Error pages are rendered without plugin variables: they get Vietnamese, like a first visit.
    env.globals.update(
        lang=language.DEFAULT,
        t=language.translator(language.DEFAULT),
        lang_urls={code: language.switch_url(code) for code in language.LANGUAGES},
    )


def middleware(datasette):
    def wrap(app):
        async def remember_choice(scope, receive, send):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1")) if scope["type"] == "http" else {}
            chosen = language.chosen((query.get("lang") or [None])[-1])
            if not chosen:
                return await app(scope, receive, send)

            async def send_with_cookie(event):
                if event["type"] == "http.response.start":
                    cookie = f"{language.COOKIE}={chosen}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax"
                    event = dict(event, headers=list(event.get("headers", [])) + [[b"set-cookie", cookie.encode()]])
                await send(event)

            return await app(scope, receive, send_with_cookie)

        return remember_choice

    return wrap
