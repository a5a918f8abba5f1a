"""HTTP revalidation keyed to the release: an anonymous GET gets an ETag naming the release, and a client or proxy
that sends it back while that release is served gets `304 Not Modified` without the page being computed again.

A release never changes once published, so what an anonymous visitor sees at a URL is fixed by the release, the
URL, the page language and the code that renders it (our plugins, templates and static files, the settings and
the installed packages). The ETag is computed from those alone, before the request is served, so a revalidation
costs no SQL at all; a new release or a new deployment of the code changes every ETag, so nothing stale is ever
confirmed.
Requests carrying credentials (an API token, a signed-in actor's cookie) are left alone: what they see depends on
who asks, and it must not be stored by shared caches.
"""

import functools
import hashlib
import importlib.metadata
import json
from pathlib import Path

from datasette.utils.asgi import Request

from .portal_site import language
from .portal_site.requests_form import LIST_PATH
from .portal_site.serving import served_release

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRECTORIES = ("plugins", "templates", "static")
CREDENTIAL_COOKIES = ("ds_actor",)
# Datasette's own /-/ pages describe the running instance (health, versions, settings), not the release's data; the
# public's requests change as admins answer them, and their form carries the visitor's CSRF token.
UNCACHED_PREFIXES = ("/-/", LIST_PATH)
# Datasette's static files and ours are tagged; those of installed plugins (/-/static-plugins/) fall under
# UNCACHED_PREFIXES and keep Datasette's own headers.
STATIC_PREFIXES = ("/-/static/", "/static/")
VARY = b"Cookie, Authorization"


@functools.cache
def _installed_code() -> str:
    """Every file of ours (path, size and time) and the version of every installed package (Datasette, its
    plugins, Jinja), as this process started with them: read once, since Datasette builds its app more than once
    (its own test client is one) and listing the packages takes some 50 ms."""
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    files = []
    for directory in CODE_DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                files.append(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(packages + files)


def code_fingerprint(datasette) -> str:
    """What identifies the rendering code of this process: our files, the installed packages and the settings
    it serves with."""
    digest = hashlib.sha256(json.dumps(datasette.settings_dict(), sort_keys=True, default=str).encode())
    digest.update(_installed_code().encode())
    return digest.hexdigest()[:12]


def _has_credentials(request: Request) -> bool:
    return bool(request.headers.get("authorization")) or any(name in request.cookies for name in CREDENTIAL_COOKIES)


def cacheable(request: Request) -> bool:
    """Whether the response to this request depends only on the release, the URL and the language."""
    if request.method not in ("GET", "HEAD") or _has_credentials(request):
        return False
    path = request.path
    return path.startswith(STATIC_PREFIXES) or not path.startswith(UNCACHED_PREFIXES)


def etag(release: str, code: str, request: Request) -> str:
    """A weak validator: the same page of the same release and code, whatever the byte-level encoding on the way."""
    key = "\n".join([code, request.path, request.query_string, language.language(request)])
    return f'W/"r{release}-{hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]}"'


def _matches(request: Request, tag: str) -> bool:
    # Explicit tags only: `*` means "any version exists", which cannot be known before the page is computed.
    return tag in [item.strip() for item in request.headers.get("if-none-match", "").split(",")]


def middleware(datasette):
    # Inside the rate limiter (plugins/middleware.py), so that a revalidation is counted like any other request; the
    # outer layers (security headers, release, CORS) label a 304 like a page.
    def wrap(app):
        # A process serves one release and one version of the code for its whole life: both are read once.
        release, code = served_release(datasette), code_fingerprint(datasette)
        if not release:
            return app

        async def revalidated(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            request = Request(scope, receive)
            if not cacheable(request):
                return await app(scope, receive, send)
            tag = etag(release, code, request)
            headers = [(b"etag", tag.encode("ascii")), (b"vary", VARY)]
            if _matches(request, tag):
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                return await send({"type": "http.response.body", "body": b""})

            async def send_tagged(message):
                if message["type"] == "http.response.start":
                    sent = message.get("headers") or []
                    # Only a complete answer is a representation of the page; a page that sets a cookie (the
                    # language switch) is tied to this visitor's choice.
                    if message["status"] == 200 and not any(name.lower() == b"set-cookie" for name, _ in sent):
                        kept = [(n, v) for n, v in sent if n.lower() not in (b"etag", b"vary")]
                        message = dict(message, headers=kept + headers)
                await send(message)

            await app(scope, receive, send_tagged)

        return revalidated

    return wrap
