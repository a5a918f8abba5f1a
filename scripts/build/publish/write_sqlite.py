"""Write published tables into a new SQLite file with sqlite-utils: types, keys, indexes and full-text search."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlite_utils

from scripts.build.publish.facet_count_table import write_facet_counts

SQL_TYPES = {"text": str, "code": str, "date": str, "integer": int, "boolean": int, "number": float}
CACHE_KIB = 256 * 1024
# Vietnamese users often type without diacritics: "ho tich" must find "hộ tịch".
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


@dataclass
class TableToLoad:
    """One table as it will be published: typed frame, schema and the indexes its pages need."""

    name: str
    frame: pd.DataFrame
    types: dict[str, type]
    primary_key: list[str]
    indexes: list[list[str]] = field(default_factory=list)
    fts: list[str] = field(default_factory=list)
    # (column, other table, other column): codes of a code list in the same file (references.py).
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    # The facets its pages show by default: a large table gets their counts worked out (facet_counts.py).
    facets: list[str] = field(default_factory=list)


def _rows(frame: pd.DataFrame):
    """Plain Python tuples, with missing values as None."""
    plain = frame.astype(object).where(frame.notna(), None)
    return plain.itertuples(index=False, name=None)


def insert_table(db: sqlite_utils.Database, table: TableToLoad) -> None:
    """Create one table with its key and insert its rows."""
    target = db.table(table.name)
    keys = table.primary_key
    # A table without a declared key (anonymised records) keeps SQLite's rowid as its key.
    target.create(
        table.types, pk=(keys[0] if len(keys) == 1 else keys) or None, not_null=keys, foreign_keys=table.foreign_keys
    )
    # The rows are already typed and checked: one prepared INSERT run by SQLite is several times faster than
    # sqlite-utils' insert_all, which rebuilds its statement and re-examines every row in Python.
    columns = ", ".join(f"[{column}]" for column in table.frame.columns)
    placeholders = ", ".join("?" for _ in table.frame.columns)
    db.conn.executemany(f"INSERT INTO [{table.name}] ({columns}) VALUES ({placeholders})", _rows(table.frame))


def index_table(db: sqlite_utils.Database, table: TableToLoad) -> None:
    """Add the indexes and the full-text search index the table's pages need."""
    target = db.table(table.name)
    for columns in table.indexes:
        target.create_index(columns, if_not_exists=True, find_unique_name=True)
    if table.fts:
        create_search_index(db, table.name, table.fts)


def fold_d(text: str | None) -> str | None:
    """Vietnamese đ/Đ written as d/D: the one letter that diacritic removal does not fold."""
    return text.replace("đ", "d").replace("Đ", "D") if text else text


def create_search_index(db: sqlite_utils.Database, name: str, columns: list[str]) -> None:
    """An FTS5 table holding each text as written and with đ folded, so "dang ky" finds "đăng ký".

    sqlite-utils' enable_fts() indexes the columns as they are, and the unicode61 tokenizer folds tones and
    marks but not đ, so the folded copy is stored next to the original text; the release never changes,
    so no triggers are needed.
    """
    fts = f"{name}_fts"
    db.register_function(fold_d, deterministic=True, replace=True)
    quoted = ", ".join(f"[{column}]" for column in columns)
    db.execute(f"CREATE VIRTUAL TABLE [{fts}] USING FTS5 ({quoted}, tokenize='{FTS_TOKENIZER}')")
    both = ", ".join(f"coalesce([{c}], '') || ' ' || coalesce(fold_d([{c}]), '')" for c in columns)
    db.execute(f"INSERT INTO [{fts}] (rowid, {quoted}) SELECT rowid, {both} FROM [{name}]")


def creation_order(tables: list[TableToLoad]) -> list[TableToLoad]:
    """The tables with every table a foreign key names before the table naming it (sqlite-utils checks that the
    other table exists). Each table's own rows keep their order and rowids whatever order the tables are created in.
    """
    pending, created, ordered = list(tables), set(), []
    while pending:
        ready = [t for t in pending if all(other in created for _, other, _ in t.foreign_keys)] or pending[:1]
        for table in ready:
            ordered.append(table)
            created.add(table.name)
            pending.remove(table)
    return ordered


def write_database(path: Path, tables: list[TableToLoad], timed=None) -> list[str]:
    """Write all tables into a fresh file at `path` in one go, then gather the planner's statistics; return the
    tables that got facet counts.

    `timed(step)`, when given, is a context manager that times the "load", "index" and "facet counts" steps.
    """
    timed = timed or (lambda step: nullcontext())
    db = sqlite_utils.Database(path, recreate=True)
    # The file is new and private until it is published, so durability during the write buys nothing.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    # Index builds sort every row: in memory, with a helper thread, they avoid spilling to temporary files.
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA threads = 2")
    with db.conn:
        with timed("load"):
            for table in creation_order(tables):
                insert_table(db, table)
        with timed("index"):
            for table in tables:
                index_table(db, table)
        with timed("facet counts"):
            counted = [t.name for t in tables if write_facet_counts(db, t.name, t.facets, len(t.frame))]
    with timed("index"):
        # Statistics for the query planner; a file written once and never updated has no free pages to vacuum.
        db.analyze()
    db.close()
    return counted
