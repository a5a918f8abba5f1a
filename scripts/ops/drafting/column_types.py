"""The type a column's values read as, tried with the build's own parsers (scripts/build/read/validate.py), so a drafted type is
one the build accepts, with the repairs it will apply."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from scripts.build.read.extract import RawTable
from scripts.build.read.validate import FALSE_WORDS, THOUSANDS, TRUE_WORDS, validate
from scripts.build.spec.manifest import Spec

# Yes/no words; digits alone ('0', '1') are read as whole numbers, which they may well be.
_BOOLEAN_WORDS = {word for word in TRUE_WORDS | FALSE_WORDS if word and not word.isdigit()}
# A shape most values of a column have when the type is text because of a few others.
_SHAPES = {
    "date": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}",
    "integer": THOUSANDS.strip("^$") + r"|-?\d+",
    "number": r"-?\d+[.,]\d+",
}
# What every value must look like before the build's parser is tried: most columns are ruled out at a glance.
_CANDIDATES = {**_SHAPES, "number": r"-?\d+(?:[.,]\d+)?"}
_MOSTLY = 0.5
_REPAIR = re.compile(r"column 'value': (.+) in (\d+) value\(s\)$")


class TypeGuess(NamedTuple):
    """A column type, a code's width, and a line for the admin: the repairs it implies or why it is text."""

    type: str
    width: int | None = None
    note: str | None = None


def _accepts(values: pd.Series, kind: str, width: int | None) -> tuple[bool, list[str]]:
    """Whether every value parses as `kind` with the build's parser, and the repairs it would apply."""
    raw = RawTable(
        path=Path("draft"),
        headers=["line", "value"],
        lines=pd.Series(range(2, len(values) + 2)),
        frame=pd.DataFrame({"line": [str(i) for i in range(len(values))], "value": values.to_numpy()}),
    )
    spec = Spec.model_validate(
        {
            "primary_key": ["line"],
            "columns": [
                {
                    "name": "line",
                    "header": "line",
                    "type": "integer",
                    "role": "attribute",
                    "label": {"vi": "-", "en": "-"},
                    "description": {"vi": "-", "en": "-"},
                },
                # A personal role, so that a parser's message could never quote a value (none is shown anyway).
                {
                    "name": "value",
                    "header": "value",
                    "type": kind,
                    "width": width,
                    "role": "direct_identifier",
                    "label": {"vi": "-", "en": "-"},
                    "description": {"vi": "-", "en": "-"},
                },
            ],
        }
    )
    checked = validate(raw, spec)
    repairs = [f"{m.group(1)} in {int(m.group(2)):,} values" for r in checked.repairs if (m := _REPAIR.search(r))]
    return not checked.problems, repairs


def infer(values: pd.Series, code_like: bool, width_hint: int | None = None) -> TypeGuess:
    """The type of a column of stripped strings; `code_like` when its header or contents say digits are a code."""
    present = values[values != ""]
    if present.empty:
        return TypeGuess("text", note="every value is empty: text until the file has some")
    distinct = pd.Series(present.unique(), dtype=object)
    if distinct.str.fullmatch(r"\d+").all() and (code_like or distinct.str.match(r"0\d").any()):
        width = max(width_hint or 0, int(distinct.str.len().max()))
        ok, repairs = _accepts(values, "code", width)
        if ok:
            return TypeGuess("code", width, _note(repairs) or f"digits kept as text, {width} wide")
    if set(distinct.str.lower()) <= _BOOLEAN_WORDS:
        return TypeGuess("boolean")
    for kind in ("date", "integer", "number"):
        if not distinct.str.fullmatch(_CANDIDATES[kind]).all():
            continue
        ok, repairs = _accepts(values, kind, None)
        if ok:
            return TypeGuess(kind, note=_note(repairs))
    # Identifiers written in several ways are text; saying most of them read as numbers would mislead.
    return TypeGuess("text", note=None if code_like else _mostly(distinct, present))


def _note(repairs: list[str]) -> str | None:
    return f"the build will repair: {'; '.join(repairs)}" if repairs else None


def _mostly(distinct: pd.Series, present: pd.Series) -> str | None:
    """When most values have one shape but some do not: say so, the file may want correcting rather than text."""
    counts = present.value_counts(sort=False).reindex(distinct).to_numpy()
    for kind, pattern in _SHAPES.items():
        share = counts[distinct.str.fullmatch(pattern).to_numpy(dtype=bool)].sum() / counts.sum()
        if _MOSTLY <= share < 1:
            return (
                f"TO REVIEW: {share:.0%} of values read as {kind} and the rest do not; text unless the file is "
                "corrected"
            )
    return None
