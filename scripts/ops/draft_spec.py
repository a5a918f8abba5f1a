"""`make spec SOURCE=data/raw/<file>.csv ID=<dataset>`: draft a dataset spec from a delivered file.

Every column gets its header, the type the build's parsers read it as, and a role suggested from what the
personal-data gate's detectors find in its values and what its header says, with the evidence as shares and
pattern names (never a value). Each role is written `unconfirmed`: the build refuses the spec until an admin has
confirmed every one, so nothing is published from a guess.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from scripts.build.gate.context import snake
from scripts.build.gate.detect import detect
from scripts.build.read.extract import ExtractError, RawTable, read_csv
from scripts.build.spec.manifest import Spec
from scripts.ops.drafting.column_types import infer
from scripts.ops.drafting.headers import names_a_code, topic_of
from scripts.ops.drafting.measures import ColumnMeasures, Communes, KnownPeople, measure
from scripts.ops.drafting.render import DraftColumn, render
from scripts.ops.drafting.roles import COMMUNES, Suggestion, identifies, suggest, trait

# Widths that bring back the leading zeros a spreadsheet dropped, by what the values are.
WIDTHS = {"citizen_id": 12, "mobile_phone": 10}
COMMUNE_CODE_WIDTH = 5
_BLANK_HEADER = re.compile(r"Unnamed: \d+")  # what the CSV reader calls a column with no header
# A date, an e-mail or a long number where a column name belongs (a year, '2024', may head a column of counts).
_LOOKS_LIKE_A_VALUE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|@|\d{5}")


class DraftRefused(Exception):
    """The draft cannot be written; the message says why and what to do."""


def _check_header_row(raw: RawTable) -> None:
    """Refuse a file whose first line is a record: its 'headers' would be a person's values, written into the spec."""
    suspect = sum(bool(_LOOKS_LIKE_A_VALUE.search(h) or detect(h)) for h in raw.headers)
    if suspect:
        raise DraftRefused(
            f"{raw.path}:1:1: {suspect} of the {len(raw.headers)} column names on line 1 look like "
            "values (numbers, dates, identifiers): is the header row missing? (names not shown)"
        )


def _names(headers: list[str]) -> list[str]:
    """A unique snake_case name per header; blank headers and those without a letter get their position."""
    names: list[str] = []
    for position, header in enumerate(headers, start=1):
        name = snake(header)
        if _BLANK_HEADER.fullmatch(header) or not re.match(r"[a-z]", name):
            name = f"column_{position}"
        while name in names:
            name = f"{name}_{position}"
        names.append(name)
    return names


def _width_hint(m: ColumnMeasures) -> int | None:
    if m.sampled_present and m.commune_codes / m.sampled_present >= COMMUNES:
        return COMMUNE_CODE_WIDTH
    top = max(m.kinds, key=m.kinds.get, default=None)
    return WIDTHS.get(top) if top and m.kinds[top] * 2 >= m.sampled_present else None


def _about_people(headers: list[str], direct: dict, topics: dict, measures: dict) -> str | None:
    """Why the file is about people (a column identifies one, or is a trait only a person has), or None."""
    if direct:
        return f"the file is about people ('{next(iter(direct))}' identifies one)"
    traits = [h for h in headers if trait(topics[h], measures[h])]
    return f"the file is about people ('{traits[0]}' is a trait of a person)" if traits else None


def _primary_key(raw: RawTable, names: list[str]) -> tuple[str, str]:
    """The first column with every value present and distinct, and what the admin should check about it."""
    for header, name in zip(raw.headers, names):
        values = raw.frame[header]
        if (values != "").all() and values.is_unique:
            return name, f"the first column whose {len(values):,} values are all present and distinct"
    return names[0], "no column has all its values present and distinct: declare the columns that together are"


def draft(
    source: Path | RawTable, dataset: str, known: KnownPeople | None = None, communes: Communes | None = None
) -> str:
    """The spec of one delivered file as YAML text, every role unconfirmed; `known`: the portal's people, if any."""
    raw = source if isinstance(source, RawTable) else read_csv(source)
    _check_header_row(raw)
    communes = communes or Communes.of_the_province()
    measures = measure(raw.frame, known or KnownPeople(), communes)
    topics = {header: topic_of(header) for header in raw.headers}
    direct = {h: s for h in raw.headers if (s := identifies(topics[h], measures[h]))}
    about_people = _about_people(raw.headers, direct, topics, measures)
    names = _names(raw.headers)
    columns = []
    for header, name in zip(raw.headers, names):
        m = measures[header]
        code_like = names_a_code(header) or _width_hint(m) is not None
        guess = infer(raw.frame[header], code_like, _width_hint(m))
        suggestion: Suggestion = direct.get(header) or suggest(
            topics[header], m, guess.type, about_people, communes.province
        )
        blank = bool(_BLANK_HEADER.fullmatch(header))
        columns.append(
            DraftColumn(
                name=name,
                header=header,
                type=guess.type,
                width=guess.width,
                required=bool(m.present) and m.present == m.rows,
                suggested_role=suggestion.role,
                evidence=suggestion.evidence,
                type_note=guess.note,
                name_note="the column has no header in the file: name it there, or drop the column" if blank else None,
            )
        )
    key, key_note = _primary_key(raw, names)
    notes = [
        f"{about_people}: its dates and communes are suggested as quasi-identifiers"
        if about_people
        else "no column identifies a person or is a trait of one: dates and communes are suggested as attributes"
    ]
    text = render(str(raw.path), dataset, len(raw.frame), columns, key, key_note, notes)
    Spec.model_validate(yaml.safe_load(text))  # the draft is a spec the build can read (and will refuse as such)
    return text


def write_draft(
    source: Path | RawTable,
    dataset: str,
    out: Path,
    force: bool = False,
    known: KnownPeople | None = None,
    communes: Communes | None = None,
) -> Path:
    """Write the draft to `out`, never over an existing spec unless forced."""
    if out.exists() and not force:
        raise DraftRefused(f"{out} exists; remove it or run again with FORCE=1 to overwrite it")
    text = draft(source, dataset, known, communes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _summary(out: Path) -> list[str]:
    """One line per column for the terminal: header, type and suggested role (no value)."""
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    width = max(len(c["header"]) for c in spec["columns"])
    lines = []
    for column in spec["columns"]:
        kind = column["type"] + (f"({column['width']})" if column.get("width") else "")
        lines.append(f"  {column['header']:<{width}}  {kind:<10} suggested {column['suggested_role']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="", help="the delivered CSV file")
    parser.add_argument("--id", default="", help="the dataset id (snake_case): the spec is data/specs/<id>.yml")
    parser.add_argument("--data", type=Path, default=Path("data"), help="the data directory (manifest, specs)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing spec")
    args = parser.parse_args(argv)
    if not args.source or not args.id:
        print("usage: make spec SOURCE=data/raw/<file>.csv ID=<dataset_id> [FORCE=1]", file=sys.stderr)
        return 2
    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.id):
        print(f"ID '{args.id}' must be snake_case (lower-case letters, digits, underscores)", file=sys.stderr)
        return 2
    out = args.data / "specs" / f"{args.id}.yml"
    try:
        if out.exists() and not args.force:
            raise DraftRefused(f"{out} exists; remove it or run again with FORCE=1 to overwrite it")
        raw = read_csv(Path(args.source))  # a file that cannot be read is said before the portal's sources are
        from scripts.ops.drafting.known_people import portal_people  # reads the portal's sources: only when drafting

        known, unread = portal_people(args.data)
        for line in unread:
            print(f"note: {line}", file=sys.stderr)
        write_draft(raw, args.id, out, args.force, known)
    except (ExtractError, DraftRefused) as error:
        print(f"no spec drafted: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"no spec drafted: {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"drafted {out} from {args.source}:", *_summary(out), sep="\n")
    print("confirm every column's role (set `role:`) and review the lines marked TO REVIEW before `make build`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
