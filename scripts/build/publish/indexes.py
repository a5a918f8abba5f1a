"""Which indexes a published table gets, chosen from the facets and sort columns its metadata declares.

A table page counts the rows and groups them by every default facet, under whatever filters the visitor chose.
On a large table an index on each facet alone still leaves a filtered facet (`sex = 'Nữ'`, counted by age band)
reading every matching row from the table; an index on the pair (filter, facet) answers it from the index alone.
"""

from __future__ import annotations

# Below this many rows a facet query reads the whole table in a few milliseconds: pairs would not pay for
# themselves in build time and file size.
PAIR_INDEX_ROWS = 50_000


def indexes_for(facets: list[str], sortable: list[str], rows: int, also: list[str] = ()) -> list[list[str]]:
    """One index per facet and sort column; on large tables, every ordered pair of facets instead.

    An index on (a, b) also serves a filter on `a`, a facet on `a` and a sort by `a`, so the single-column
    index on a column that leads a pair would be redundant.
    """
    columns = list(dict.fromkeys([*facets, *sortable, *also]))
    if rows < PAIR_INDEX_ROWS or len(facets) < 2:
        return [[column] for column in columns]
    pairs = [[a, b] for a in facets for b in facets if a != b]
    leading = {a for a, _ in pairs}
    return pairs + [[column] for column in columns if column not in leading]
