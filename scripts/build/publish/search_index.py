"""The catalogue search index of a database: one full-text document per dataset, and the values users search by.

`/search` (plugins/portal_site/dataset_search.py) ranks datasets with bm25 over two FTS5 tables. The first holds
one document per dataset: titles, keywords (and theme), descriptions and publisher in both languages, and its
column labels. The second holds the values users search by, one row per dataset, column and distinct value, with
the number of published rows that hold it: the names of the communes a dataset has rows for, procedure names,
categories. Values have a table of their own so that a dataset with hundreds of them (every procedure's name) is
not ranked lower for its document's length, and so that a search for a place can say how many rows of each
dataset are for that place.

What is indexed is what the database publishes, and nothing else: each database gets the index of its own
datasets (restricted.db's stays behind its tokens), only columns already published are read, pseudonyms are left
out, and so is any column with too many distinct values to be a category (free text at province scale).

Codes are indexed by name: a public table keyed by one column that declares full-text search (communes:
commune_code, searched by commune_name) names that column's codes wherever another table publishes them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from plugins.portal_site import contract
from plugins.portal_site.search_text import TOKENIZER, fold
from scripts.build.spec.derived_spec import DerivedSpec, Records
from scripts.build.spec.manifest import Manifest, Spec

MAX_DISTINCT = 2_000  # more distinct values than this is not a category users search by
HAS_LETTER = re.compile(r"[^\W\d_]")  # numbers, dates and bare codes say nothing in words


@dataclass(frozen=True)
class Names:
    """A code column named by another published table: commune_code -> commune_name, say."""

    column: str
    table: str
    names: dict[str, str]


def name_tables(code_lists: dict) -> dict[str, Names]:
    """The names of the codes of each code list (references.find_code_lists: a public table whose spec names its
    label column), by key column: a place or procedure is searched by its name, not its code."""
    found = {}
    for key, code_list in code_lists.items():
        pairs = code_list.table.frame[[key, code_list.label]].dropna()
        found[key] = Names(
            key, code_list.table.name, dict(zip(pairs[key].astype(str), pairs[code_list.label].astype(str)))
        )
    return found


def _skipped(spec) -> set[str]:
    """Pseudonyms, and code columns of a table published as delivered (a procedure's code is no word to search)."""
    if isinstance(spec, DerivedSpec) and isinstance(spec.derive, Records):
        return {p.name for p in spec.derive.pseudonymise}
    if isinstance(spec, Spec):
        return {column.name for column in spec.columns if column.type == "code"}
    return set()


def column_values(item, names: dict[str, Names]) -> list[tuple[str, str, str, int]]:
    """(column, cell as published, value in words, rows) for every value of the table worth searching by."""
    table, found = item.table, []
    skipped = _skipped(item.spec)
    for column in table.frame.columns:
        named = names.get(column)
        if named and named.table == table.name:
            continue  # the naming table's own key: its names are indexed from their own column
        if table.types.get(column) is not str or (column in skipped and not named):
            continue
        counts = table.frame[column].dropna().astype(str).value_counts(sort=False)
        if len(counts) > MAX_DISTINCT:
            continue
        known = named.names if named else {}
        # A code in words (its name); any other value as written, when it has words ("Tổng", "Toàn tỉnh").
        found += [
            (column, cell, known.get(cell, cell), int(rows))
            for cell, rows in counts.items()
            if cell in known or HAS_LETTER.search(cell)
        ]
    return found


def _labels(metadata: dict) -> str:
    """Every column's label in both languages, from the column details the build wrote (contract.COLUMN_DETAILS)."""
    return " ".join(
        label
        for column in (metadata.get(contract.COLUMN_DETAILS) or {}).values()
        for label in (column["label"]["vi"], column["label"]["en"])
    )


def document(item, manifest: Manifest) -> dict:
    """The dataset's row of the search table: folded text to match, and the facts the search page filters by."""
    entry = item.entry
    publisher, theme = manifest.publisher(entry), manifest.theme(entry)
    text = {
        "title": f"{entry.title.vi} {entry.title.en}",
        "keywords": " ".join([*entry.keywords, theme.vi, theme.en]),
        "description": f"{entry.description.vi} {entry.description.en}",
        "publisher": f"{publisher.vi} {publisher.en}",
        "columns": _labels(item.metadata),
    }
    return {
        "id": item.table.name,
        **{key: fold(value) for key, value in text.items()},
        "theme_id": entry.theme,
        "theme_vi": theme.vi,
        "theme_en": theme.en,
        "publisher_id": entry.publisher,
        "publisher_vi": publisher.vi,
        "publisher_en": publisher.en,
        "update_frequency": entry.update_frequency,
        "access": entry.access,
    }


def _create(db: sqlite3.Connection, name: str, columns: tuple[str, ...], indexed: tuple[str, ...], rows) -> None:
    """One FTS5 table, filled, then merged into one b-tree segment: it is written once and read for the release."""
    spelled = ", ".join(column if column in indexed else f"{column} UNINDEXED" for column in columns)
    db.execute(f"CREATE VIRTUAL TABLE [{name}] USING fts5({spelled}, tokenize='{TOKENIZER}')")
    db.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(columns))})", rows)
    db.execute(f"INSERT INTO [{name}]([{name}]) VALUES ('optimize')")


def write_search_index(path: Path, tables, manifest: Manifest, names: dict[str, Names]) -> None:
    """Add the two search tables for `tables` (the datasets of the database file at `path`)."""
    documents, value_rows = [], []
    for item in tables:
        document_row = document(item, manifest)
        documents.append(tuple(document_row[column] for column in contract.SEARCH_COLUMNS))
        value_rows += [
            (fold(value), item.table.name, column, cell, value, rows)
            for column, cell, value, rows in column_values(item, names)
        ]
    db = sqlite3.connect(path)
    try:
        with db:
            _create(db, contract.SEARCH_TABLE, contract.SEARCH_COLUMNS, contract.SEARCH_INDEXED, documents)
            _create(db, contract.SEARCH_VALUES_TABLE, contract.SEARCH_VALUES_COLUMNS, ("terms",), value_rows)
    finally:
        db.close()
