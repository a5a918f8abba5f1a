"""The portal's one message catalogue, read with Babel when the portal starts: no compiled file to remember.

Message ids are English, the language Datasette's own templates are written in, so that the portal's copies of them
differ from upstream only by `_()` around each string; locale/vi/LC_MESSAGES/messages.po gives the Vietnamese, and
English needs no catalogue (a msgid is its own English). Another language is one more `locale/<code>/` catalogue.
`scripts/ops/messages.py` (make messages) extracts every marked string and fails on one without a translation.

The language of each message is the request's (language.current(), set by plugins/language_choice.py's layer), so
templates, error handlers and render_cell all speak it without being handed it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from . import language

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DOMAIN = "messages"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> dict:
    """msgid -> msgstr (a tuple of forms for a plural) of one language's catalogue; {} for the source language.
    A message with a context (pgettext) is keyed (context, msgid)."""
    path = catalogue_path(lang)
    if not path.exists():
        return {}
    with path.open("rb") as file:
        read = read_po(file, locale=lang)
    found = {}
    for message in read:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.context:
            key = (message.context, key)
        text = message.string
        if any(text) if isinstance(text, tuple) else text:
            found[key] = text
    return found


def gettext(message: str, lang: str | None = None) -> str:
    """`message` (an English msgid) in `lang`, by default the request's; itself when the catalogue lacks it."""
    text = catalogue(lang or language.current()).get(message)
    if isinstance(text, tuple):
        text = text[0]
    return text or message


def ngettext(singular: str, plural: str, count: int, lang: str | None = None) -> str:
    """The form for `count`: Vietnamese has one form, English two."""
    text = catalogue(lang or language.current()).get(singular)
    if isinstance(text, tuple):
        return text[0]
    return singular if count == 1 else plural


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """`message` where one English word needs two translations ("Search": the page "Tìm kiếm", its button "Tìm"),
    told apart by `context`."""
    text = catalogue(lang or language.current()).get((context, message))
    return text if isinstance(text, str) and text else message


def N_(message: str) -> str:  # gettext's name for "mark for extraction, translate later"
    return message


def _pattern(msgid: str) -> re.Pattern:
    """A regular expression matching the English of a message with %(name)s placeholders."""
    parts = re.split(r"%\((\w+)\)s", msgid)
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.S)


@cache
def _patterns(messages: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    return [(msgid, _pattern(msgid)) for msgid in messages if "%(" in msgid]


def translate_text(text, messages: tuple[str, ...], lang: str | None = None):
    """An English message produced elsewhere (Datasette, a plugin's f-string) in the request's language: the exact
    msgid, or one of `messages` with %(name)s placeholders whose English it matches; unchanged when none does."""
    if not isinstance(text, str):
        return text
    lang = lang or language.current()
    if text in catalogue(lang):
        return gettext(text, lang)
    for msgid, pattern in _patterns(messages):
        match = pattern.match(text)
        if match:
            return gettext(msgid, lang) % match.groupdict()
    return text
