"""The public talks back: a form to report a problem with a dataset or ask for a new one (/yeu-cau/gui), and the
answered requests (/yeu-cau). Submissions go to their own SQLite file (portal_site/requests_store.py), never to
a served database.

What protects the store, in the order a POST meets it: the request guard lets POST reach this one address
(plugins/request_bounds.py); the body is read up to MAX_BODY_BYTES (413 beyond); every field has a length limit
(400); the form must carry the visitor's CSRF token (403 page, never a 500); a hidden field that people leave empty
drops what bots send, answered as if it were stored; each client and each address may send only a few a while
(429); and when too many requests, or too many bytes of them, wait for an answer, new ones get 429 too.
"""

import asyncio
import datetime as dt
import logging
import secrets
import sqlite3
import weakref

from datasette import hookimpl
from datasette.utils.asgi import Response
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from .portal_site import catalogue, compat, formats, language, vocabularies
from .portal_site import requests_form as form
from .portal_site import requests_store as store
from .portal_site.translations import N_, gettext
from .rate_limit import CONFIG as RATE_LIMIT_CONFIG
from .rate_limit import browser, client_address
from .rate_limit import settings as rate_limit_settings

log = logging.getLogger(__name__)
# Submissions a client (address and browser, as plugins/rate_limit.py tells them apart) and an address as a whole
# (many phones share one behind carrier NAT) may send in WINDOW_MINUTES. Kept in each process's memory: with N
# processes a client may send N times as many, which the cap on pending requests still bounds.
WINDOW_MINUTES = 10
PER_CLIENT, PER_ADDRESS = 5, 30
NO_STORE = {"cache-control": "no-store"}
PROVINCE_TIME = dt.timezone(dt.timedelta(hours=7))
KIND_LABELS = {"problem": N_("A problem with a dataset"), "new_dataset": N_("A request for a new dataset")}


class Windows:
    """Submissions per client and per address in moving windows, in this process's memory."""

    def __init__(self):
        self.windows = MovingWindowRateLimiter(MemoryStorage())
        self.client = RateLimitItemPerMinute(PER_CLIENT, WINDOW_MINUTES)
        self.address = RateLimitItemPerMinute(PER_ADDRESS, WINDOW_MINUTES)

    def allow(self, client: str, address: str) -> bool:
        """Count one submission, or say False (and count nothing) when the client or its address is at its limit."""
        if not self.windows.test(self.client, "requests-form", client):
            return False
        if not self.windows.test(self.address, "requests-form-address", address):
            return False
        self.windows.hit(self.client, "requests-form", client)
        self.windows.hit(self.address, "requests-form-address", address)
        return True


# Each portal its own windows: Datasette registers a plugin module once per process, however many portals it runs.
_windows: "weakref.WeakKeyDictionary[object, Windows]" = weakref.WeakKeyDictionary()


def windows(datasette) -> Windows:
    if datasette not in _windows:
        _windows[datasette] = Windows()
    return _windows[datasette]


def local_date(timestamp: str | None, lang: str) -> str:
    """A stored UTC timestamp as the reader writes the province's date: 05/12/2026, or 5 Dec 2026."""
    if not timestamp:
        return ""
    moment = dt.datetime.strptime(timestamp, store.TIMESTAMP).replace(tzinfo=dt.UTC).astimezone(PROVINCE_TIME)
    return formats.date(moment.date(), lang)


async def _datasets(datasette, request) -> list[dict]:
    return await catalogue.visible_datasets(datasette, request.actor)


async def _page(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    html = await datasette.render_template(template, dict(context, kind_labels=KIND_LABELS), request=request)
    return Response.html(html, status=status, headers=NO_STORE)


async def _message(datasette, request, status: int, title: str, text: str, headers: dict | None = None, **values):
    """A page saying only `title` and `text` (msgids; `values` fill the text's placeholders)."""
    lang = language.language(request)
    page = {"title": gettext(title, lang), "text": gettext(text, lang) % values}
    response = await _page(datasette, request, "requests_message.html", page, status)
    response.headers.update(headers or {})
    return response


async def _form(datasette, request, values: dict, errors: dict, status: int = 200) -> Response:
    datasets = await _datasets(datasette, request)
    return await _page(
        datasette,
        request,
        "requests_form.html",
        {
            "datasets": datasets,
            "values": values,
            "errors": errors,
            "limits": form.LIMITS,
            "min_message": form.MIN_MESSAGE,
            "honeypot": form.HONEYPOT,
            "form_path": form.FORM_PATH,
            "list_path": form.LIST_PATH,
        },
        status,
    )


async def _body(request) -> bytes | None:
    """The request body, or None once it is longer than the form can be (413)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > form.MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > form.MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


# What each refusal page says: its title and text (English msgids, placeholders filled when shown).
TOO_LARGE = (N_("The submission is too large"), N_("A request holds at most %(limit)s characters."))
BAD_FORM = (N_("The form is not valid"), N_("Open the form again and send it again."))
NO_TOKEN = (
    N_("The form's session is not valid"),
    N_(
        "The form expired or was not sent from the portal's page (its CSRF token is missing or wrong). Open "
        "the form again and send it again; the browser must accept the portal's cookies."
    ),
)
SLOW_DOWN = (
    N_("Too many requests"),
    N_("Each person may send at most %(requests)s requests in %(minutes)s minutes. Try again later."),
)
FULL = (N_("Requests are paused"), N_("Too many requests are waiting for an answer. Try again later."))
NOT_STORED = (
    N_("The request could not be saved"),
    N_("The portal could not save the request just now. Try again in a few minutes."),
)
RECEIVED = (
    N_("Request received"),
    N_("Thank you. Your request has reached the portal's team; the answer will be published on the Requests page."),
)


async def form_page(datasette, request):
    if request.method == "POST":
        return await submit(datasette, request)
    preselected = request.args.get("dataset", "")
    values = {"kind": "problem" if preselected else "", "dataset": preselected}
    return await _form(datasette, request, values, {})


async def submit(datasette, request):
    body = await _body(request)
    if body is None:
        return await _message(
            datasette,
            request,
            413,
            *TOO_LARGE,
            limit=formats.number(form.LIMITS["message"], language.language(request)),
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type != "application/x-www-form-urlencoded":
            raise form.BadForm(f"content type {content_type[:40]!r}")
        fields = form.parse(body)
    except form.BadForm:
        return await _message(datasette, request, 400, *BAD_FORM)
    if not secrets.compare_digest(fields.get("csrftoken", "").encode(), compat.csrf_token(request).encode()):
        return await _message(datasette, request, 403, *NO_TOKEN)
    lang = language.language(request)
    thanks = Response.redirect(form.THANKS_PATH + ("?lang=en" if lang == "en" else ""), status=303)
    thanks.headers.update(NO_STORE)
    if fields.get(form.HONEYPOT):
        log.info("a submission that filled the hidden field was dropped")
        return thanks  # answered like any other, so that the bot learns nothing
    trusted = rate_limit_settings(datasette.plugin_config(RATE_LIMIT_CONFIG))["trusted_proxies"]
    address = client_address(request.scope, trusted)
    if not windows(datasette).allow(f"{address} {browser(request.scope)}", address):
        return await _message(
            datasette,
            request,
            429,
            *SLOW_DOWN,
            headers={"retry-after": str(WINDOW_MINUTES * 60)},
            requests=PER_CLIENT,
            minutes=WINDOW_MINUTES,
        )
    datasets = {entry["id"] for entry in await _datasets(datasette, request)}
    checked = form.check(fields, datasets, lang)
    if checked.errors:
        return await _form(datasette, request, checked.values, checked.errors, status=400)
    try:
        await asyncio.to_thread(store.submit, store.default_path(), checked.submission)
    except store.StoreFull as full:
        log.warning(
            "a request was refused: %s (the cap: $%s, $%s)",
            full,
            store.MAX_OPEN_VARIABLE,
            store.MAX_OPEN_BYTES_VARIABLE,
        )
        return await _message(datasette, request, 429, *FULL, headers={"retry-after": "3600"})
    except (OSError, sqlite3.Error, store.RequestError) as error:  # a full disk, an unwritable store, a bad cap
        log.error("a request could not be stored in %s: %s", store.default_path(), error)
        return await _message(datasette, request, 503, *NOT_STORED, headers={"retry-after": "600"})
    return thanks


async def thanks_page(datasette, request):
    return await _message(datasette, request, 200, *RECEIVED)


async def list_page(datasette, request):
    lang = language.language(request)
    titles = {entry["id"]: entry for entry in await _datasets(datasette, request)}
    answered = await asyncio.to_thread(store.answered, store.default_path())
    for item in answered:
        item["created"], item["answered"] = local_date(item["created_at"], lang), local_date(item["answered_at"], lang)
        item["entry"] = titles.get(item["dataset"] or "")
    return await _page(datasette, request, "requests_list.html", {"answered": answered, "form_path": form.FORM_PATH})


def dataset_contact(datasette, lang: str):
    """For dataset pages: a dataset's contact point (its publisher and e-mail) and the form's address for it."""

    def contact(entry: dict) -> dict:
        return dict(
            vocabularies.dataset_contact(datasette, entry, lang), form=f"{form.FORM_PATH}?dataset={entry['id']}"
        )

    return contact


@hookimpl
def extra_template_vars(datasette, request):
    return {"dataset_contact": dataset_contact(datasette, language.language(request))}


@hookimpl
def skip_csrf(scope):
    # asgi-csrf lets through any POST without a cookie; this route checks the token itself (compat.csrf_token) and
    # answers a Vietnamese 403 page where asgi-csrf would answer a line of English.
    return scope.get("path") == form.FORM_PATH


@hookimpl
def register_routes():
    return [
        (rf"^{form.LIST_PATH}$", list_page),
        (rf"^{form.FORM_PATH}$", form_page),
        (rf"^{form.THANKS_PATH}$", thanks_page),
    ]
