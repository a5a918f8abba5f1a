"""Datasette's errors in the reader's language, in HTML pages and in JSON: the message and the title of the
exception are translated where Datasette's own handler (which renders them) will read them.

Registered after bad_requests (plugins/registry.py): that handler reads Datasette's English messages to tell a
request's fault from the server's, and all handlers are called before any of the responses they return is made.
"""

from datasette import hookimpl
from datasette.utils.asgi import Base400

from .portal_site import compat, error_pages


@hookimpl
def handle_exception(exception):
    if isinstance(exception, Base400) and exception.args:
        exception.args = (error_pages.translate(exception.args[0]), *exception.args[1:])
    elif isinstance(exception, compat.DatasetteError):
        compat.retell_error(exception, _message(exception), error_pages.translate(exception.title))


@hookimpl
def forbidden(datasette, request, message):
    # Datasette's own 403 page, with its message in the reader's language.
    async def inner():
        from datasette import Response

        error = error_pages.translate(message)
        if request.path.endswith(".json"):  # Datasette 0.65 answers a page even to its JSON API
            return Response.json(
                {"ok": False, "error": error, "status": 403, "title": error_pages.translate("Forbidden")}, status=403
            )
        return Response.html(
            await datasette.render_template("error.html", {"title": "Forbidden", "error": error}, request=request),
            status=403,
        )

    return inner


def _message(exception):
    if compat.error_is_html(exception) and "<textarea" in str(exception.message):
        return error_pages.interrupted(str(exception.message))
    return error_pages.translate(exception.message)
