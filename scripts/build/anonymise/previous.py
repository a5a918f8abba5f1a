"""The release being served, read back so that the next one keeps its suppression patterns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

DATABASES = ("portal.db", "restricted.db")


class PreviousRelease:
    """Tables of the current release by dataset id; nothing before the first build."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def table(self, dataset: str) -> pd.DataFrame | None:
        if self.directory is None:
            return None
        for name in DATABASES:
            path = self.directory / name
            if not path.exists():
                continue
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                found = db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [dataset])
                if found.fetchone():
                    return pd.read_sql_query(f'select * from "{dataset}"', db, dtype=str)
        return None
