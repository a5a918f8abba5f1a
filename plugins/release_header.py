"""`X-Portal-Release: NNNN` on every response, so that proxies, caches and clients can tell which release answered."""

import sys
from pathlib import Path

from datasette import hookimpl

sys.path.insert(0, str(Path(__file__).resolve().parent))  # Datasette loads plugin files by path, not as a package
from portal_site.serving import served_release

HEADER = b"x-portal-release"


@hookimpl(trylast=True)
def asgi_wrapper(datasette):
    # trylast: among the outermost wrappers, so that what other wrappers answer themselves (429s) is labelled too.
    def wrap(app):
        # A process serves one release for its whole life (scripts/serve/command.py resolves it once), so it is read once.
        release = served_release(datasette).encode("ascii")
        if not release:
            return app

        async def labelled(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_labelled(message):
                if message["type"] == "http.response.start":
                    headers = [(n, v) for n, v in message.get("headers") or [] if n.lower() != HEADER]
                    message = dict(message, headers=headers + [(HEADER, release)])
                await send(message)

            await app(scope, receive, send_labelled)

        return labelled

    return wrap
