"""`make spec SOURCE=data/raw/<file>.csv ID=<dataset>`: draft a dataset spec from a delivered file.

Every column gets its header, an inferred type, and a role suggested from what the personal-data gate finds in its
values and what its header says, with the evidence as shares and pattern names (never a value). Each role is
written `unconfirmed`: the build refuses the spec until an admin has confirmed every one, so nothing is
published from a guess.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from .extract import ExtractError, read_csv
from .gate.context import column_context
from .gate.detect import detect
from .gate.words import fold

SAMPLE = 2000  # distinct values looked at per column: enough for a share, quick on a province's file
MAJORITY = 0.5
# Header words (folded) and the role they suggest, first match wins.
HEADER_ROLES = [
    (r"\b(ho va ten|ho ten|ten nguoi|chu thue bao)\b", "direct_identifier", "a person's name"),
    (r"\b(so dinh danh|cccd|cmnd|can cuoc|so dien thoai|dien thoai|email|ho chieu|ma so thue|so the)\b",
     "direct_identifier", "an identifier"),
    (r"\b(dia chi)\b", "direct_identifier", "an address"),
    (r"\b(ngay sinh|nam sinh|gioi tinh|ma xa|xa phuong|nghe nghiep)\b", "quasi_identifier",
     "a quasi-identifier (birth date, sex, commune, occupation)"),
    (r"\b(dan toc|ton giao|benh|khuyet tat|tro cap)\b", "sensitive", "a sensitive attribute"),
    (r"\b(ghi chu|nhan xet|noi dung|mo ta)\b", "free_text", "free text"),
]
KIND_NAMES = {"citizen_id": "the 12-digit citizen ID", "old_id_card": "the 9-digit ID card",
              "mobile_phone": "a mobile phone number", "landline": "a landline number", "email": "an e-mail address",
              "health_insurance": "a health-insurance card", "social_insurance": "a social-insurance number",
              "tax_code": "a tax code", "passport": "a passport number", "bank_card": "a bank card number",
              "imei": "an IMEI"}
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"-?\d{1,3}([.,]\d{3})*|-?\d+")
_NAME = re.compile(r"[^\W\d_]+(?: [^\W\d_]+){1,4}")


class DraftRefused(Exception):
    """The draft cannot be written; the message says why and what to do."""


def snake(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header)).strip("_") or "column"


def infer_type(values: pd.Series) -> tuple[str, int | None]:
    """The column type the values read as, and a code's width."""
    if values.empty:
        return "text", None
    share = lambda pattern: values.str.fullmatch(pattern).mean()  # noqa: E731
    if share(_DATE) >= 0.9:
        return "date", None
    if values.isin(["Có", "Không", "có", "không"]).mean() >= 0.9:
        return "boolean", None
    if share(r"\d+") >= 0.9 and (values.str.len() > 1).all() and values.str.match(r"0\d").any():
        # Digits with leading zeros (IDs, commune codes): text padded back to their width, not a number.
        return "code", int(values.str.len().max())
    if share(_INTEGER) >= 0.9:
        return "integer", None
    return "text", None


def suggest_role(header: str, values: pd.Series) -> tuple[str, str]:
    """A role and its evidence: what the gate finds in the values first, then what the header says."""
    distinct = values[values != ""].drop_duplicates().head(SAMPLE)
    if len(distinct):
        context = column_context(snake(header))
        kinds = Counter(kind for text in distinct for kind in detect(text, context))
        if kinds:
            kind, hits = kinds.most_common(1)[0]
            if hits / len(distinct) >= MAJORITY:
                return "direct_identifier", f"{hits / len(distinct):.0%} of {len(distinct)} distinct values match " \
                                            f"{KIND_NAMES.get(kind, kind)}"
    folded = fold(header)
    for pattern, role, what in HEADER_ROLES:
        if re.search(pattern, folded):
            return role, f"the header reads as {what}"
    if len(distinct) and distinct.str.fullmatch(_NAME).mean() >= 0.9 and distinct.nunique() > 0.5 * len(distinct) \
            and distinct.str.split().str.len().mean() >= 2.5:
        return "direct_identifier", f"{len(distinct)} distinct values shaped like people's names"
    return "attribute", "no personal data found in the values or the header"


def draft(source: Path, dataset: str) -> dict:
    """The spec of one delivered file, every role unconfirmed."""
    raw = read_csv(source)
    columns = []
    for header in raw.headers:
        values = raw.frame[header].fillna("").astype(str).str.strip()
        kind, width = infer_type(values[values != ""])
        role, evidence = suggest_role(header, values)
        column = {"name": snake(header), "header": header, "type": kind}
        if width:
            column["width"] = width
        column |= {"role": "unconfirmed", "suggested_role": role, "evidence": evidence,
                   "label": {"vi": header, "en": "TO REVIEW"}, "description": {"vi": "TO REVIEW", "en": "TO REVIEW"}}
        columns.append(column)
    return {"primary_key": [columns[0]["name"]], "columns": columns}


HEADER = """\
# Drafted by `make spec` from {source} for dataset '{dataset}'.
# Before the build accepts it: set each column's `role` (attribute, direct_identifier, quasi_identifier, sensitive,
# free_text), guided by `suggested_role` and `evidence`, and fill in the labels and descriptions marked TO REVIEW.
# Check the primary key. Direct identifiers and free text are never published as values (docs/manifest.md).
"""


def write_draft(source: Path, dataset: str, out: Path, force: bool = False) -> Path:
    if out.exists() and not force:
        raise DraftRefused(f"{out} exists; remove it or run again with FORCE=1 to overwrite it")
    spec = draft(source, dataset)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=120)
    out.write_text(HEADER.format(source=source, dataset=dataset) + text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--id", required=True, help="the dataset id (snake_case)")
    parser.add_argument("--specs", type=Path, default=Path("data/specs"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.id):
        print(f"ID '{args.id}' must be snake_case (lower-case letters, digits, underscores)", file=sys.stderr)
        return 2
    try:
        out = write_draft(args.source, args.id, args.specs / f"{args.id}.yml", args.force)
    except (ExtractError, DraftRefused) as error:
        print(f"no spec drafted: {error}", file=sys.stderr)
        return 1
    print(f"drafted {out}: confirm every column's role and fill in the labels before `make build`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
