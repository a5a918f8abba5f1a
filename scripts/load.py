"""Write published tables into a new SQLite file with sqlite-utils: types, keys, indexes and full-text search."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlite_utils

SQL_TYPES = {"text": str, "code": str, "date": str, "integer": int, "boolean": int, "number": float}
BATCH_SIZE = 5_000
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


def _rows(frame: pd.DataFrame):
    """Yield the header then plain Python tuples, with missing values as None."""
    yield list(frame.columns)
    plain = frame.astype(object).where(frame.notna(), None)
    yield from plain.itertuples(index=False, name=None)


def load_table(db: sqlite_utils.Database, table: TableToLoad) -> None:
    """Create one table with its key, insert its rows, then index it."""
    target = db.table(table.name)
    target.create(table.types, pk=table.primary_key if len(table.primary_key) > 1 else table.primary_key[0],
                  not_null=table.primary_key)
    target.insert_all(_rows(table.frame), batch_size=BATCH_SIZE)
    for columns in table.indexes:
        target.create_index(columns, if_not_exists=True, find_unique_name=True)
    if table.fts:
        target.enable_fts(table.fts, tokenize=FTS_TOKENIZER, create_triggers=False)


def write_database(path: Path, tables: list[TableToLoad]) -> None:
    """Write all tables into a fresh file at `path` in one go, then analyse and compact it."""
    db = sqlite_utils.Database(path, recreate=True)
    # The file is new and private until it is published, so durability during the write buys nothing.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    with db.conn:
        for table in tables:
            load_table(db, table)
    db.analyze()
    db.vacuum()
    db.close()
