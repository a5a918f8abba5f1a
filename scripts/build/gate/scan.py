"""Scan every value of a frame for personal data, one column at a time, each distinct value once, then each pair
of neighbouring columns joined."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from scripts.build.gate.addresses import address_index_for
from scripts.build.gate.adjacent import Edges, scan_pair
from scripts.build.gate.allow import AllowRule, allowed_values
from scripts.build.gate.context import column_context, shape_context
from scripts.build.gate.crossfield import People
from scripts.build.gate.detect import Hit, detect
from scripts.build.gate.findings import Finding, ScanReport, mask
from scripts.build.gate.names import PhraseIndex, index_for
from scripts.build.gate.normalise import scan_forms
from scripts.build.gate.patterns import CANDIDATE
from scripts.build.gate.values import distinct_texts
from scripts.build.gate.words import folded_cells

# Findings shown per (column, kind); the rest are only counted, so a bad column does not print a million lines.
LIMIT = 5


def scan_frame(
    table: str,
    frame: pd.DataFrame,
    *,
    known_names: frozenset[str] = frozenset(),
    known_addresses: frozenset[str] = frozenset(),
    allow: Sequence[AllowRule] = (),
    limit: int = LIMIT,
) -> ScanReport:
    """Every cell of the frame that holds personal data, as a report of capped findings and full counts."""
    indexes: list[PhraseIndex] = [
        index
        for index in (
            index_for(frozenset(known_names)) if known_names else None,
            address_index_for(frozenset(known_addresses)) if known_addresses else None,
        )
        if index
    ]
    people = People.from_frame(frame)
    findings: list[Finding] = []
    counts: dict[tuple[str, str], int] = {}
    allowed: dict[AllowRule, int] = {rule: 0 for rule in allow}
    edges: list[Edges | None] = []
    for position, label in enumerate(frame.columns):
        column = str(label)
        distinct = distinct_texts(frame.iloc[:, position])
        if distinct is None:
            edges.append(None)
            continue
        codes, texts = distinct.codes, distinct.texts
        rules = [rule for rule in allow if rule.applies_to(column)]
        if rules and len(texts):
            exempt, per_rule = allowed_values(texts, rules)
            for rule, hits in zip(rules, per_rule):
                allowed[rule] += int(np.isin(codes, texts.index[hits]).sum())
            texts = texts[~exempt]
        context = column_context(column)
        bare = texts[texts.str.fullmatch(r"[0-9]{8,12}")].tolist()
        forms = scan_forms(texts)
        hits = _detect_column(texts, forms, context | shape_context(bare))
        folded = None
        if not distinct.numeric and indexes:
            folded = folded_cells(texts.to_numpy())
            for index in indexes:
                for value, phrase in index.search(texts, folded).items():
                    hits.setdefault(value, {})[index.kind] = Hit(index.kind, phrase)
        for kind, rows, masked in _rows_by_kind(codes, hits, people, limit):
            counts[column, kind] = rows.size
            findings.extend(Finding(table, column, int(row) + 1, kind, text) for row, text in zip(rows, masked))
        edges.append(_edges(frame.iloc[:, position], distinct, texts, forms, folded, context))
    for (left, a), (right, b) in zip(zip(frame.columns, edges), zip(frame.columns[1:], edges[1:])):
        if a is None or b is None:
            continue
        column = f"{left}+{right}"
        for kind, rows, matched in scan_pair(a, b, indexes):
            counts[column, kind] = rows.size
            findings.extend(
                Finding(table, column, int(row) + 1, kind, mask(text)) for row, text in zip(rows[:limit], matched)
            )
    return ScanReport(table, tuple(findings), counts, allowed)


def _edges(
    series: pd.Series, distinct, texts: pd.Series, forms: pd.Series, folded: list | None, context: frozenset[str]
) -> Edges:
    """What the column's cells start and end with, for the joined scan of neighbouring columns."""
    if distinct.numeric:
        # Every whole number, however short, may end one: '0203' | 3835123 is a landline once joined.
        every = distinct_texts(series, every_number=True)
        return Edges.of(every.codes, every.texts, every.texts.iloc[:0], None, context, opens=False)
    # Values an allow rule exempted have left `texts`: their rows join nothing.
    codes = np.where(np.isin(distinct.codes, texts.index), distinct.codes, -1)
    return Edges.of(codes, texts, forms, folded, context)


def _detect_column(texts: pd.Series, forms: pd.Series, context: frozenset[str]) -> dict[int, dict[str, Hit]]:
    """Hits per distinct value (by index), looking closely only at values that could hold a number or address;
    a value is read as written and, when it reads differently, in its scan form too."""
    hits: dict[int, dict[str, Hit]] = {}
    for values in (texts, forms):
        if not len(values):
            continue
        candidates = values[values.str.contains(CANDIDATE)]
        for index, text in zip(candidates.index, candidates.to_numpy()):
            if found := detect(text, context):
                current = hits.setdefault(index, {})
                for kind, hit in found.items():
                    # An unconditional hit replaces one that needed the row's sex and birth year.
                    if kind not in current or (current[kind].needs is not None and hit.needs is None):
                        current[kind] = hit
    return hits


def _rows_by_kind(
    codes: np.ndarray, hits: dict[int, dict[str, Hit]], people: People | None, limit: int
) -> Iterator[tuple[str, np.ndarray, list[str]]]:
    """For each kind: the flagged rows (0-based, in order) and the masked text of the first `limit` of them."""
    by_kind: dict[str, dict[int, Hit]] = {}
    for index, found in hits.items():
        for kind, hit in found.items():
            by_kind.setdefault(kind, {})[index] = hit
    distinct = int(codes.max()) + 1 if codes.size else 0
    for kind, found in by_kind.items():
        ordered = list(found.values())
        # slot[value index] = position in `ordered`, or -1; the spare last slot is what code -1 (a missing cell) reads.
        slot = np.full(distinct + 1, -1, dtype=np.intp)
        slot[np.fromiter(found, dtype=np.intp, count=len(found))] = np.arange(len(ordered))
        hit_of_row = slot[codes]
        rows = np.flatnonzero(hit_of_row >= 0)
        conditional = np.array([hit.needs is not None for hit in ordered], dtype=bool)
        if conditional.any():
            rows = _confirmed(rows, hit_of_row, ordered, conditional, people)
        if rows.size:
            yield kind, rows, [mask(ordered[hit_of_row[row]].matched) for row in rows[:limit]]


def _confirmed(
    rows: np.ndarray, hit_of_row: np.ndarray, ordered: list[Hit], conditional: np.ndarray, people: People | None
) -> np.ndarray:
    """The rows whose hit is unconditional, or whose sex and birth year match what the digits encode."""
    pending = conditional[hit_of_row[rows]]
    if people is None:
        return rows[~pending]
    male = np.array([float(hit.needs[0]) if hit.needs else np.nan for hit in ordered])
    year = np.array([float(hit.needs[1]) if hit.needs else np.nan for hit in ordered])
    waiting = rows[pending]
    slots = hit_of_row[waiting]
    agreed = waiting[people.agrees(waiting, male[slots], year[slots])]
    return np.sort(np.concatenate([rows[~pending], agreed]))
