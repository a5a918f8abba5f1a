"""The catalogue search: visible datasets ranked by bm25 for a query, their facets, and rows matching a place.

The index is built with each release (scripts/build/publish/search_index.py): in each database, one FTS5 document
per dataset and one FTS5 row per value users search by. A dataset matches when each word of the query is in its
document or in one of its values ("dân số Hạ Long": the words of the title, the commune's name among the values).
Its score is the bm25 of its document, the title weighing most, plus the bm25 of its title alone; the bm25 of its best-matching value adds a
thousandth of itself, which orders datasets found by their values alone (a place) and breaks ties, and no more:
free text among the values (a pilot model's description) must not outrank a title. Visibility is the catalogue's (catalogue.visible_datasets): a database is searched only for datasets the
visitor may see, so that a visitor without a token learns nothing of the restricted tier, not even that it
matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import catalogue, contract, vocabularies
from .search_text import MAX_QUERY_CHARS, any_word, every_word, fold, phrase, words

# bm25 weight of each column of the document (contract.SEARCH_COLUMNS: unindexed ones weigh nothing).
WEIGHTS = {"title": 10.0, "keywords": 4.0, "description": 2.0, "publisher": 2.0, "columns": 1.5}
VALUE_SHARE = 0.001  # see above: values order what the documents leave equal
MATCHED_SHOWN = 3  # matched values named per dataset
TITLE = contract.SEARCH_INDEXED[0]
ORDER = ("theme", "publisher", "access", "frequency", "format")


class QueryTooLong(ValueError):
    pass


@dataclass
class Filters:
    """Facet values a visitor ticked, per facet (several values of one facet: any of them)."""

    chosen: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> Filters:
        return cls({name: [v for v in args.getlist(name) if v] for name in ORDER if args.getlist(name)})

    def keeps(self, facts: dict[str, list[str]], leave_out: str | None = None) -> bool:
        return all(set(values) & set(facts[name]) for name, values in self.chosen.items() if name != leave_out)


def _weights() -> str:
    return ", ".join(str(WEIGHTS.get(column, 0.0)) for column in contract.SEARCH_COLUMNS)


async def _documents(db) -> dict[str, dict]:
    columns = ", ".join(contract.SEARCH_COLUMNS)
    result = await db.execute(f"select {columns} from {contract.SEARCH_TABLE}")
    return {row["id"]: dict(row) for row in result.rows}


async def _with_each_word(db, found: list[str]) -> set[str]:
    """Datasets that hold every word, each in their document or in one of their values."""
    having = None
    for word in found:
        expression = every_word([word])
        ids = {
            row[0]
            for row in (
                await db.execute(
                    f"select id from {contract.SEARCH_TABLE} where {contract.SEARCH_TABLE} match ?", [expression]
                )
            ).rows
        }
        ids |= {
            row[0]
            for row in (
                await db.execute(
                    f"select distinct dataset from {contract.SEARCH_VALUES_TABLE} where {contract.SEARCH_VALUES_TABLE} "
                    "match ?",
                    [expression],
                )
            ).rows
        }
        having = ids if having is None else having & ids
        if not having:
            break
    return having or set()


async def _scores(db, found: list[str]) -> dict[str, float]:
    """Per dataset: bm25 of its document, plus bm25 of its title alone (FTS5 saturates a word's weight, so the
    column weights alone let a long description catch up with a title), plus VALUE_SHARE of its best value's."""
    expression = any_word(found)
    scores: dict[str, float] = {}
    for expr in (expression, f"{TITLE} : ({expression})"):
        for row in (
            await db.execute(
                f"select id, -bm25({contract.SEARCH_TABLE}, {_weights()}) from {contract.SEARCH_TABLE} "
                f"where {contract.SEARCH_TABLE} match ?",
                [expr],
            )
        ).rows:
            scores[row[0]] = scores.get(row[0], 0.0) + row[1]
    best: dict[str, float] = {}
    for row in (
        await db.execute(
            f"select dataset, -bm25({contract.SEARCH_VALUES_TABLE}) from {contract.SEARCH_VALUES_TABLE} "
            f"where {contract.SEARCH_VALUES_TABLE} match ?",
            [expression],
        )
    ).rows:
        best[row[0]] = max(best.get(row[0], 0.0), row[1])
    for dataset, score in best.items():
        scores[dataset] = scores.get(dataset, 0.0) + VALUE_SHARE * score
    return scores


async def _matching_rows(db, found: list[str]) -> dict[str, dict]:
    """Per dataset, the published rows whose value in one column holds the words as written, side by side (a
    commune's name: "Hạ Long" is in "Phường Hạ Long"): counted in the column where most do, with those values and
    their cells."""
    result = await db.execute(
        f"select dataset, column_name, cell, value, rows from {contract.SEARCH_VALUES_TABLE} "
        f"where {contract.SEARCH_VALUES_TABLE} match ? order by dataset, column_name, value",
        [phrase(found)],
    )
    by_column: dict[tuple[str, str], dict] = {}
    for dataset, column, cell, value, rows in result.rows:
        entry = by_column.setdefault((dataset, column), {"column": column, "rows": 0, "values": [], "cells": []})
        entry["rows"] += rows
        entry["values"].append(value)
        entry["cells"].append(cell)
    best: dict[str, dict] = {}
    for (dataset, _), entry in by_column.items():
        if dataset not in best or entry["rows"] > best[dataset]["rows"]:
            best[dataset] = entry
    return best


def _facts(entry: dict, document: dict | None) -> dict[str, list[str]]:
    """The facet values of one dataset; a release built before the index has only its catalogue entry."""
    source = document or {
        "theme_id": entry.get("theme_id"),
        "publisher_id": entry.get("publisher_id"),
        "update_frequency": entry.get("update_frequency"),
    }
    return {
        "theme": [source["theme_id"]] if source.get("theme_id") else [],
        "publisher": [source["publisher_id"]] if source.get("publisher_id") else [],
        "access": [entry["access"]],
        "frequency": [source["update_frequency"]] if source.get("update_frequency") else [],
        "format": list(vocabularies.FORMATS),
    }


def _labels(entry: dict, document: dict | None) -> dict[str, dict[str, tuple[str, str]]]:
    source = document or {
        "theme_vi": entry.get("theme"),
        "theme_en": entry.get("theme_en"),
        "publisher_vi": entry.get("publisher"),
        "publisher_en": entry.get("publisher_en"),
    }
    labels: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in ORDER}
    for name, key in (("theme", "theme_id"), ("publisher", "publisher_id")):
        value = (document or entry).get(key)
        if value:
            labels[name][value] = (source[f"{name}_vi"], source[f"{name}_en"] or source[f"{name}_vi"])
    return labels


ACCESS_LABELS = {
    "public": ("Công khai", "Public"),
    "restricted": ("Hạn chế (cơ quan đối tác)", "Restricted (partner agencies)"),
}


def _facets(results: list[dict], filters: Filters) -> dict[str, list[dict]]:
    """Counts of each facet's values among the results that every other facet's choice keeps (so ticking one
    value of a facet still shows what its other values would add)."""
    labels: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in ORDER}
    for result in results:
        for name, known in result["_labels"].items():
            labels[name].update(known)
    labels["access"].update(ACCESS_LABELS)
    labels["frequency"].update({code: (f.vi, f.en) for code, f in contract.FREQUENCIES.items()})
    labels["format"].update({code: (code, code) for code in vocabularies.FORMATS})
    facets = {}
    for name in ORDER:
        counts: dict[str, int] = {}
        for result in results:
            if filters.keeps(result["_facts"], leave_out=name):
                for value in result["_facts"][name]:
                    counts[value] = counts.get(value, 0) + 1
        chosen = filters.chosen.get(name, [])
        facets[name] = sorted(
            (
                {
                    "value": value,
                    "label_vi": labels[name].get(value, (value, value))[0],
                    "label_en": labels[name].get(value, (value, value))[1],
                    "count": counts.get(value, 0),
                    "selected": value in chosen,
                }
                for value in set(counts) | set(chosen)
            ),
            key=lambda item: (-item["count"], fold(item["label_vi"])),
        )
    return facets


async def search(datasette, actor, query: str, filters: Filters, lang: str = "vi") -> dict:
    """Datasets the actor may see that match the query (all of them for an empty one), best first, with facets."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"the search is {len(query)} characters long; at most {MAX_QUERY_CHARS} are searched")
    found = words(query)
    entries = await catalogue.visible_datasets(datasette, actor)
    results = []
    for database in contract.DATABASES:
        mine = {entry["id"]: entry for entry in entries if entry["database"] == database}
        if not mine:
            continue  # a database with nothing the actor may see is not even asked
        db = datasette.databases[database]
        indexed = await db.table_exists(contract.SEARCH_TABLE)
        documents = await _documents(db) if indexed else {}
        if query and not found:
            continue  # only punctuation: nothing to look for
        if found and indexed:
            matched, scores, rows = (
                await _with_each_word(db, found),
                await _scores(db, found),
                await _matching_rows(db, found),
            )
        elif found:  # a release built before the index: the catalogue's own text, unranked
            matched = {
                i
                for i, e in mine.items()
                if set(found) <= set(words(" ".join(str(e.get(k) or "") for k in EMPTY_TEXT)))
            }
            scores, rows = {}, {}
        else:
            matched, scores, rows = set(mine), {}, {}
        for dataset in matched & set(mine):
            entry, document, hit = mine[dataset], documents.get(dataset), rows.get(dataset)
            results.append(
                {
                    "entry": entry,
                    "score": round(scores[dataset], 4) if dataset in scores else None,
                    "matching_rows": hit["rows"] if hit else None,
                    "hit": hit,
                    "_facts": _facts(entry, document),
                    "_labels": _labels(entry, document),
                }
            )
    title = "title_en" if lang == "en" else "title_vi"
    results.sort(key=lambda r: (-(r["score"] or 0.0), fold(r["entry"][title]), r["entry"]["id"]))
    facets = _facets(results, filters)
    kept = [r for r in results if filters.keeps(r["_facts"])]
    return {"query": query, "words": found, "results": kept, "facets": facets, "total": len(kept)}


EMPTY_TEXT = ("title_vi", "title_en", "description_vi", "description_en", "keywords", "publisher", "publisher_en")
