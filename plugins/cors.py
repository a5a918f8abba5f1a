"""CORS for reading: any web page may GET the portal's data; nothing else is opened cross-origin."""

READ_METHODS = ("GET", "HEAD")


def middleware(datasette):
    def wrap(app):
        async def add_cors(scope, receive, send):
            if scope["type"] != "http" or scope.get("method") not in READ_METHODS:
                return await app(scope, receive, send)

            async def send_with_cors(event):
                # No Allow-Credentials and no preflight answer: a browser cannot send a partner's token cross-origin.
                if event["type"] == "http.response.start":
                    headers = [h for h in event.get("headers", []) if h[0].lower() != b"access-control-allow-origin"]
                    event = dict(event, headers=headers + [[b"access-control-allow-origin", b"*"]])
                await send(event)

            return await app(scope, receive, send_with_cors)

        return add_cors

    return wrap
