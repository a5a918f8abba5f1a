"""`X-Portal-Release: NNNN` on every response, so that proxies, caches and clients can tell which release answered.

Under the cluster, also `X-Portal-Generation: N`: the supervisor's count of rolling restarts of the same release
($PORTAL_GENERATION), part of nginx's cache key (nginx hides it from clients).
"""

import os

from .portal_site.serving import served_release

HEADER = b"x-portal-release"
GENERATION_HEADER = b"x-portal-generation"
GENERATION = "PORTAL_GENERATION"  # set by scripts/serve/cluster/replica.py


def middleware(datasette):
    # Outside the rate limiter (plugins/middleware.py), so that what it answers itself (429s) is labelled too.
    def wrap(app):
        # A process serves one release for its whole life (scripts/serve/command.py resolves it once), so it is read once.
        release = served_release(datasette).encode("ascii")
        if not release:
            return app
        generation = os.environ.get(GENERATION, "")
        ours = [(HEADER, release)] + ([(GENERATION_HEADER, generation.encode("ascii"))] if generation.isdigit() else [])

        async def labelled(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_labelled(message):
                if message["type"] == "http.response.start":
                    headers = [
                        (n, v) for n, v in message.get("headers") or [] if n.lower() not in (HEADER, GENERATION_HEADER)
                    ]
                    message = dict(message, headers=headers + ours)
                await send(message)

            await app(scope, receive, send_labelled)

        return labelled

    return wrap
