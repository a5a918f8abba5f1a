"""Ordered categories (age bands, months, quarters, years): which columns hold them, and their natural order.

The build writes each derived table's ordered columns into its metadata (contract.ORDERED_COLUMNS) and publishes
their values so that their text sorts in their natural order (age bands zero-padded: 05-09 before 45-49). Pages
that would list such values by count (facets, charts) list them in that order instead.
"""

from __future__ import annotations

import re

from .contract import ORDERED_COLUMNS


def ordered_columns(metadata: dict | None) -> list[str]:
    return list((metadata or {}).get(ORDERED_COLUMNS) or [])


def natural_key(value) -> list:
    """Runs of digits compared as numbers, so that even an unpadded `5-9` comes before `45-49`; text after numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(value))]


def in_natural_order(items, column: str, metadata: dict | None, value=lambda item: item["value"]):
    """Items (facet values, chart bars) of an ordered column in its natural order; of any other column as they are."""
    if column not in ordered_columns(metadata):
        return items
    return sorted(items, key=lambda item: natural_key(value(item)))
