"""The portal's ASGI layers around Datasette, in one explicit order: Datasette's `asgi_wrapper` hook is used once.

Each layer is a module's `middleware(datasette)`, which returns `wrap(app) -> app`. LAYERS lists them from the
outermost (sees a request first, an answer last) to the innermost (next to Datasette). Why this order:
- the request guard refuses malformed requests before any other layer spends anything on them;
- security headers and the release label go on every answer, those the rate limiter gives itself (429) included;
- CORS and the language cookie only add headers;
- static files are answered before the rate limiter and the data layers, which have nothing to do with them;
- the token layer normalises the Authorization header before the rate limiter reads it to budget a partner;
- the rate limiter counts every request that reaches the data, a revalidation (304) included;
- full-table CSV, revalidation and the ASCII-path fix act on what Datasette itself receives.
"""

from datasette import hookimpl

from . import (
    api_tokens,
    bad_requests,
    cors,
    csv_stream,
    language_choice,
    rate_limit,
    release_header,
    request_bounds,
    revalidation,
    security_headers,
    static_assets,
)

LAYERS = (
    request_bounds,
    security_headers,
    release_header,
    cors,
    static_assets,
    language_choice,
    api_tokens,
    rate_limit,
    csv_stream,
    revalidation,
    bad_requests,
)


@hookimpl(trylast=True)
def asgi_wrapper(datasette):
    # trylast: outside any other installed plugin's wrapper, so that the guard and the headers see everything.
    wraps = [layer.middleware(datasette) for layer in LAYERS]

    def wrap(app):
        for layer_wrap in reversed(wraps):
            app = layer_wrap(app)
        return app

    return wrap
