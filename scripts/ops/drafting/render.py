"""The drafted spec as YAML an admin can read: a comment on what to do, one commented entry per column."""

from __future__ import annotations

import json
from dataclasses import dataclass

from scripts.build.spec.manifest import UNCONFIRMED

REVIEW = "TO REVIEW"
ROLES = "attribute | direct_identifier | quasi_identifier | sensitive | free_text"


@dataclass
class DraftColumn:
    """One column of the draft: what the file says about it and what is suggested."""

    name: str
    header: str
    type: str
    width: int | None
    required: bool
    suggested_role: str
    evidence: str
    type_note: str | None = None
    name_note: str | None = None


def quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are YAML), so any header or evidence reads back unchanged."""
    return json.dumps(text, ensure_ascii=False)


def render(
    source: str, dataset: str, rows: int, columns: list[DraftColumn], key: str, key_note: str, notes: list[str]
) -> str:
    """The spec's text: every role `unconfirmed`, so the build refuses it until an admin has set each one."""
    lines = [
        f"# Spec drafted by `make spec` from {source} ({rows:,} rows) for dataset '{dataset}'.",
        "#",
        "# `make build` refuses this spec until, for every column, `role:` is set to the role you confirm:",
        f"#   {ROLES}",
        "# (docs/manifest.md, and the README's disclosure-control section). `suggested_role` and `evidence` say what",
        "# the personal-data gate's detectors and the header found: shares and pattern names, never a value of the",
        "# file. They are a suggestion, not a decision, and may stay as a record of why.",
        f"# Then review every line marked {REVIEW}: published names (English snake_case), English labels, both",
        "# descriptions, the primary key; add facets, fts, sortable and sort for a table published as delivered.",
        *(f"# Note: {note}" for note in notes),
        "",
        f"primary_key: [{key}]  # {REVIEW}: {key_note}",
        "columns:",
    ]
    for column in columns:
        lines += _column(column)
    return "\n".join(lines) + "\n"


def _column(column: DraftColumn) -> list[str]:
    header = quoted(column.header)
    lines = [
        f"  - name: {column.name}  # {REVIEW}: {column.name_note or 'the published name, English snake_case'}",
        f"    header: {header}  # as in the file",
        f"    type: {column.type}" + (f"  # {column.type_note}" if column.type_note else ""),
    ]
    if column.width:
        lines.append(f"    width: {column.width}")
    if column.required:
        lines.append("    required: true  # no value is empty in the file")
    lines += [
        f"    role: {UNCONFIRMED}  # set to the role you confirm (the roles are listed at the top)",
        f"    suggested_role: {column.suggested_role}",
        f"    evidence: {quoted(column.evidence)}",
        f"    label: {{vi: {header}, en: {header}}}  # {REVIEW}: the English label",
        f"    description: {{vi: {header}, en: {header}}}  # {REVIEW}: what the column holds, in both languages",
    ]
    return lines
