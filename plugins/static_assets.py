"""Static files served light: gzip when the browser asks for it, and cached for a year under hashed names.

Datasette 0.65 serves /-/static/, /static/ and /-/static-plugins/ uncompressed and without cache headers. This ASGI
layer answers them itself, from the same directories (plugins/portal_site/static_files.py): a hashed name
(`/static/portal.<hash>.css`) with `Cache-Control: public, max-age=31536000, immutable`, the plain name with five
minutes, both with an ETag and gzip when accepted. Pages link to the hashed names: templates through
`static_url()`, installed plugins' scripts and stylesheets through the hook wrappers
below. It works the same under `make serve` with or without nginx.
"""

from __future__ import annotations

from datasette import hookimpl

from .portal_site import compat
from .portal_site.static_files import IMMUTABLE, PLAIN, accepts_gzip, static_files

METHODS = ("GET", "HEAD")


@hookimpl
def startup(datasette):
    static_files(datasette)  # files listed and hashed before the first page, not during it


@hookimpl
def prepare_jinja2_environment(env, datasette):
    # A global, not a template variable: error pages are rendered without the plugins' variables.
    env.globals["static_url"] = lambda url: static_files(datasette).url(url)


def _hashed(results: list, datasette) -> list:
    files = static_files(datasette)

    def one(url):
        if isinstance(url, dict) and url.get("url"):
            return dict(url, url=files.url(url["url"]))
        return files.url(url) if isinstance(url, str) else url

    return [[one(url) for url in urls] if isinstance(urls, list) else urls for urls in results]


@hookimpl(hookwrapper=True)
def extra_js_urls(datasette):
    outcome = yield
    compat.replace_hook_results(outcome, _hashed(outcome.get_result(), datasette))


@hookimpl(hookwrapper=True)
def extra_css_urls(datasette):
    outcome = yield
    compat.replace_hook_results(outcome, _hashed(outcome.get_result(), datasette))


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == name), "")


def middleware(datasette):
    def wrap(app):
        async def static(scope, receive, send):
            if scope["type"] != "http" or scope.get("method") not in METHODS:
                return await app(scope, receive, send)
            files = static_files(datasette)
            found = files.find(scope["path"]) if scope["path"].startswith(files.prefixes) else None
            if found is None:
                return await app(scope, receive, send)
            asset, immutable = found
            etag = f'"{asset.digest}"'.encode()
            headers = [
                (b"content-type", asset.content_type.encode()),
                (b"cache-control", IMMUTABLE if immutable else PLAIN),
                (b"etag", etag),
                (b"vary", b"Accept-Encoding"),
            ]
            if etag in [t.strip().encode() for t in _header(scope, b"if-none-match").split(",")]:
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                return await send({"type": "http.response.body", "body": b""})
            body = asset.body
            if asset.gzipped is not None and accepts_gzip(_header(scope, b"accept-encoding")):
                body = asset.gzipped
                headers.append((b"content-encoding", b"gzip"))
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

        return static

    return wrap
