"""The portal's message catalogue: extract every marked string with Babel's extractor (babel.cfg), and check that
each language's catalogue (locale/<code>/LC_MESSAGES/messages.po) translates all of them.

    python -m scripts.ops.messages check    # `make messages`: lists what is missing, exits 1 if anything is
    python -m scripts.ops.messages update   # `make messages-update`: adds new msgids (empty), marks removed ones

Message ids are English (plugins/portal_site/translations.py says why); a missing translation is a failure here
and in tests/test_translations.py, never an English string on a Vietnamese page.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from plugins.portal_site import translations

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extract() -> Catalog:
    """Every string the portal marks for translation, with where it is used."""
    with MAPPING.open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    template = Catalog(project="province-open-data-portal", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"N_": None, "_": None, "gettext": (1,), "ngettext": (1, 2), "pgettext": ((1, "c"), 2)},
        strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def languages() -> list[str]:
    return sorted(path.name for path in translations.LOCALE_DIR.iterdir() if (path / "LC_MESSAGES").is_dir())


def read(lang: str) -> Catalog:
    with translations.catalogue_path(lang).open("rb") as file:
        return read_po(file, locale=lang)


def problems(template: Catalog, lang: str) -> list[str]:
    """What the catalogue of `lang` lacks: a msgid without translation (or fuzzy), a translation whose %(name)s
    placeholders differ from the msgid's, a msgid no longer used anywhere."""
    catalogue = read(lang)
    found = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id, context=message.context)
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if (
            translated is None
            or translated.fuzzy
            or not all(translated.string if isinstance(translated.string, tuple) else [translated.string])
        ):
            found.append(f"{lang}: no translation for {key!r} ({_where(message)})")
            continue
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if any(set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(key)) for text in strings):
            found.append(f"{lang}: the translation of {key!r} does not have the same %(name)s placeholders")
    used = {(message.id, message.context) for message in template}
    found += [
        f"{lang}: {message.id!r} is no longer used (make messages-update removes it)"
        for message in catalogue
        if message.id and (message.id, message.context) not in used
    ]
    return found


def _where(message) -> str:
    return ", ".join(f"{name}:{line}" for name, line in message.locations[:2])


def update() -> None:
    """Bring every catalogue in step with the code: new msgids added untranslated, removed ones dropped."""
    template = extract()
    for lang in languages():
        catalogue = read(lang)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with translations.catalogue_path(lang).open("wb") as file:
            write_po(file, catalogue, width=120, sort_output=False, include_previous=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("check", "update"))
    args = parser.parse_args(argv)
    if args.action == "update":
        update()
    template = extract()
    found = [problem for lang in languages() for problem in problems(template, lang)]
    for problem in found:
        print(problem, file=sys.stderr)
    print(
        f"{len(template)} messages, languages {', '.join(languages())}: "
        f"{'complete' if not found else f'{len(found)} problems'}"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
