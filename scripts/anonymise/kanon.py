"""k-anonymity and l-diversity for record tables: least generalisation on a small lattice, then local suppression."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd

from .generalise import GENERALISERS


class AnonymityUnreachable(Exception):
    """No generalisation in the lattice reaches k and l within the suppression budget."""


@dataclass
class Hierarchy:
    """A quasi-identifier, its output name and its generalisation levels, least general first."""

    column: str
    output: str
    levels: list[str]


@dataclass
class Released:
    """The generalised quasi-identifiers and sensitive columns of the kept rows, indexed like the input."""

    frame: pd.DataFrame
    levels: dict[str, str]
    k: int
    l_diversity: int | None
    suppressed_share: float


def violations(frame: pd.DataFrame, qis: list[str], k: int, sensitive: list[str], l: int) -> pd.Series:  # noqa: E741
    """Rows whose equivalence class is smaller than k or has fewer than l distinct sensitive values."""
    groups = frame.groupby(qis, dropna=False, sort=False, observed=True)
    bad = groups[qis[0]].transform("size") < k
    for column in sensitive:
        bad |= groups[column].transform("nunique", dropna=False) < l
    return bad


def achieved(frame: pd.DataFrame, qis: list[str], sensitive: list[str]) -> tuple[int, int | None]:
    """The k and l a released frame actually has."""
    if frame.empty:
        return 0, 0 if sensitive else None
    groups = frame.groupby(qis, dropna=False, sort=False, observed=True)
    k = int(groups.size().min())
    l_value = min(int(groups[s].nunique(dropna=False).min()) for s in sensitive) if sensitive else None
    return k, l_value


def anonymise_records(frame: pd.DataFrame, hierarchies: list[Hierarchy], k: int, sensitive: list[str] = (),
                      l: int = 1, max_suppression: float = 0.05, at: pd.Series | None = None) -> Released:  # noqa: E741
    """Generalise the quasi-identifiers as little as possible, then drop the rows still in small classes."""
    cache: dict[tuple[str, str], pd.Series] = {}

    def level(h: Hierarchy, name: str) -> pd.Series:
        if (h.column, name) not in cache:
            cache[(h.column, name)] = GENERALISERS[name](frame[h.column]).fillna("Không rõ")
        return cache[(h.column, name)]

    qis = [h.output for h in hierarchies]
    nodes = sorted(itertools.product(*(range(len(h.levels)) for h in hierarchies)), key=lambda n: (sum(n), n))
    best = None
    for node in nodes:
        if best is not None and sum(node) > sum(best[0]):
            break  # a less general node already met the budget
        candidate = frame[list(sensitive)].copy()
        for h, index in zip(hierarchies, node):
            candidate[h.output] = level(h, h.levels[index])
        bad = violations(candidate, qis, k, list(sensitive), l)
        share = float(bad.mean()) if len(bad) else 0.0
        if share <= max_suppression and (best is None or share < best[2]):
            best = (node, candidate[~bad], share)
    if best is None:
        raise AnonymityUnreachable(
            f"no generalisation of {[h.column for h in hierarchies]} reaches k={k}, l={l} "
            f"with at most {max_suppression:.0%} of records suppressed"
        )
    node, released, share = best
    k_done, l_done = achieved(released, qis, list(sensitive))
    return Released(
        frame=released,
        levels={h.column: h.levels[i] for h, i in zip(hierarchies, node)},
        k=k_done, l_diversity=l_done, suppressed_share=share,
    )
