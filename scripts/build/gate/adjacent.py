"""Scan each pair of neighbouring columns joined: an ID typed across two cells ('022090' | '123456'), a surname and
middle name in one column and the given name in the next, a house number apart from its street.

Only what crosses the boundary counts (each column is also scanned on its own): a number made of the digits the
left cell ends with and those the right one starts with, that neither holds alone; a known name or address that
starts in the left cell, ends in the right one and is all of one of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scripts.build.gate.detect import detect
from scripts.build.gate.names import PhraseIndex
from scripts.build.gate.patterns import SPAN

# A crossing number has at least as many digits as the shortest identifier the detectors read without context.
_MIN_DIGITS = 8


@dataclass
class Edges:
    """What one column's cells start and end with, per distinct value; codes[row] indexes them (-1: nothing)."""

    codes: np.ndarray
    texts: list[str | None]  # the distinct values as written (None: not scanned)
    tail_number: list[str]  # the digit span a value ends with, in its scan form, or ''
    head_number: list[str]
    folded: list[list[str]]  # folded words (none for number columns)
    context: frozenset[str]
    _words: dict[tuple[int, int], tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        codes: np.ndarray,
        texts: pd.Series,
        forms: pd.Series,
        folded: list[list[str]] | None,
        context: frozenset[str],
        opens: bool = True,
    ) -> Edges:
        """The edges of a column: codes index its distinct values, `texts` holds them as written and `forms` as
        the number detectors read them, `folded` their folded words in the order of `texts`. A column that
        cannot `open` a number (a number column: its leading zeros are lost) has no tail."""
        n = int(codes.max()) + 1 if codes.size else 0
        forms = dict(zip(forms.index, forms.to_numpy()))
        written: list[str | None] = [None] * n
        tail, head, words = [""] * n, [""] * n, [[] for _ in range(n)]
        for position, (index, text) in enumerate(zip(texts.index, texts.to_numpy())):
            written[index] = text
            if folded is not None:
                words[index] = folded[position]
            form = forms.get(index, text).strip()
            if form[-1:].isdigit() or form[:1].isdigit() or form[:1] in "+(":
                spans = list(SPAN.finditer(form))
                if opens and spans and spans[-1].end() == len(form):
                    tail[index] = spans[-1].group()
                if spans and spans[0].start() == 0:
                    head[index] = spans[0].group()
        return cls(codes, written, tail, head, words, context)

    def words(self, value: int, index: PhraseIndex) -> tuple[list[str], list[str]]:
        """A value's words as spelled and folded, for the phrase index, computed once."""
        key = (value, id(index))
        if key not in self._words:
            self._words[key] = index.words(self.texts[value] or "")
        return self._words[key]


def scan_pair(left: Edges, right: Edges, indexes: list[PhraseIndex]) -> Iterator[tuple[str, np.ndarray, list[str]]]:
    """For each kind found across the boundary: the rows (0-based, in order) and the matched text of each."""
    found: dict[str, dict[int, str]] = {}
    for kind, rows, matched in _numbers(left, right):
        found.setdefault(kind, {}).update(zip(rows.tolist(), matched))
    for index in indexes:
        for rows, matched in _phrases(left, right, index):
            found.setdefault(index.kind, {}).update(zip(rows.tolist(), matched))
    for kind, by_row in found.items():
        rows = np.array(sorted(by_row), dtype=np.intp)
        yield kind, rows, [by_row[row] for row in rows.tolist()]


def _numbers(left: Edges, right: Edges) -> Iterator[tuple[str, np.ndarray, list[str]]]:
    if not left.tail_number or not right.head_number:
        return
    # Values that end (start) with the same digits are one edge: each pair of edges is read once.
    tail_of, tails = pd.factorize(np.array(left.tail_number, dtype=object))
    head_of, heads = pd.factorize(np.array(right.head_number, dtype=object))
    digits_l = np.array([sum(c.isdigit() for c in t) for t in tails])
    digits_r = np.array([sum(c.isdigit() for c in t) for t in heads])
    lc, rc = left.codes, right.codes
    rows = np.flatnonzero((lc >= 0) & (rc >= 0))
    a, b = tail_of[lc[rows]], head_of[rc[rows]]
    usable = (digits_l[a] > 0) & (digits_r[b] > 0) & (digits_l[a] + digits_r[b] >= _MIN_DIGITS)
    rows, a, b = rows[usable], a[usable], b[usable]
    if not rows.size:
        return
    unique, inverse = np.unique(a.astype(np.int64) * len(heads) + b, return_inverse=True)
    context = left.context | right.context
    alone: dict[str, set[str]] = {}
    hits: dict[str, dict[int, str]] = {}
    for position, key in enumerate(unique.tolist()):
        tail, head = tails[key // len(heads)], heads[key % len(heads)]
        for kind, hit in detect(f"{tail} {head}", context).items():
            # A hit that needs the row's sex and birth year, or that one edge holds alone, is not a crossing one.
            if hit.needs is None and kind not in _alone(alone, tail, context) | _alone(alone, head, context):
                hits.setdefault(kind, {})[position] = hit.matched
    for kind, matched_at in hits.items():
        chosen = np.isin(inverse, list(matched_at))
        yield kind, rows[chosen], [matched_at[p] for p in inverse[chosen].tolist()]


def _alone(cache: dict[str, set[str]], text: str, context: frozenset[str]) -> set[str]:
    if text not in cache:
        cache[text] = set(detect(text, context))
    return cache[text]


def _phrases(left: Edges, right: Edges, index: PhraseIndex) -> Iterator[tuple[np.ndarray, list[str]]]:
    if not left.folded or not right.folded:
        return
    keep, starts = index.longest - 1, index.lengths.keys()
    left_ok = np.array([bool(words) and not starts.isdisjoint(index.tokens(words)[-keep:]) for words in left.folded])
    right_ok = np.array([bool(index.tokens(words)) for words in right.folded])
    lc, rc = left.codes, right.codes
    rows = np.flatnonzero((lc >= 0) & (rc >= 0))
    rows = rows[left_ok[lc[rows]] & right_ok[rc[rows]]]
    if not rows.size:
        return
    keys = lc[rows].astype(np.int64) * len(right_ok) + rc[rows]
    unique, inverse = np.unique(keys, return_inverse=True)
    matched_at = {}
    for position, key in enumerate(unique.tolist()):
        a, b = divmod(key, len(right_ok))
        if phrase := index.find_across(left.words(a, index), right.words(b, index), keep):
            matched_at[position] = phrase
    if matched_at:
        chosen = np.isin(inverse, list(matched_at))
        yield rows[chosen], [matched_at[p] for p in inverse[chosen].tolist()]
