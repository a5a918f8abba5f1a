"""The request form's addresses, fields and limits, and the checks of a submitted form, in one place for the page
plugin (plugins/public_requests.py) and the request guard (plugins/request_bounds.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .requests_store import KINDS, Submission
from .translations import gettext

LIST_PATH = "/yeu-cau"  # answered requests, public
FORM_PATH = "/yeu-cau/gui"  # the form (GET) and where it is sent (POST): the one page of the portal that takes POST
THANKS_PATH = "/yeu-cau/da-gui"
PATHS = (LIST_PATH, FORM_PATH, THANKS_PATH)

MAX_BODY_BYTES = 65_536  # 4,000 Vietnamese characters, percent-encoded, take up to 36 KB
MAX_FIELDS = 12
LIMITS = {"message": 4_000, "name": 100, "email": 254, "dataset": 60, "kind": 20, "csrftoken": 200, "website": 200}
MIN_MESSAGE = 10
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it, and its submission is dropped
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 controls but tab, line feed and carriage return, and DEL: nobody types them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadForm(Exception):
    """The body is not a form this page sends (400)."""


@dataclass
class Checked:
    """What a submitted form holds once checked: the submission, or the errors by field to show beside it."""

    values: dict
    errors: dict = field(default_factory=dict)
    submission: Submission | None = None


def parse(body: bytes) -> dict[str, str]:
    """The fields of an urlencoded body, each once; BadForm for anything a browser sending this form never sends."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise BadForm("the form is not valid UTF-8 form data") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadForm(f"the field {name[:20]!r} is given twice")
        fields[name] = value
    too_long = [name for name, value in fields.items() if name in LIMITS and len(value) > LIMITS[name]]
    if too_long:
        raise BadForm(f"too long: {', '.join(too_long)}")
    return fields


def _clean(value: str | None) -> str:
    return CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()


def check(fields: dict[str, str], datasets: set[str], lang: str) -> Checked:
    """The submission the form describes, or the errors (keys: the field, values: messages in `lang`)."""
    values = {name: _clean(fields.get(name)) for name in ("kind", "dataset", "message", "name", "email")}
    errors = {}
    if values["kind"] not in KINDS:
        errors["kind"] = gettext("Choose what the request is about.", lang)
    if values["dataset"] and values["dataset"] not in datasets:
        errors["dataset"] = gettext("Choose a dataset from the list.", lang)
    elif not values["dataset"] and values["kind"] == "problem":
        errors["dataset"] = gettext("Choose the dataset the problem is in.", lang)
    if len(values["message"]) < MIN_MESSAGE:
        errors["message"] = gettext("Write at least %(count)s characters.", lang) % {"count": MIN_MESSAGE}
    if values["email"] and not EMAIL.match(values["email"]):
        errors["email"] = gettext("An e-mail address looks like name@example.com.", lang)
    if errors:
        return Checked(values, errors)
    submission = Submission(
        kind=values["kind"],
        dataset=values["dataset"] or None,
        message=values["message"],
        name=values["name"] or None,
        email=values["email"] or None,
        lang=lang,
    )
    return Checked(values, submission=submission)
