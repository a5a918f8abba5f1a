"""package_search over the visible packages: q (words), fq on organization, groups, tags (and name, license_id,
res_format), sort, start and rows, as CKAN's Solr query reads the common cases."""

from __future__ import annotations

import re
import unicodedata

ROWS_DEFAULT, ROWS_MAX = 10, 1000
FILTER = re.compile(
    r"(?P<negate>[-+]?)(?P<field>organization|groups|tags|name|license_id|res_format):"
    r'(?P<value>"[^"]*"|\S+)'
)
SORTABLE = {
    "name": "name",
    "title_string": "title",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
}


class BadQuery(ValueError):
    """A query CKAN would refuse; its message is CKAN's Search Query Error."""


def folded(text: str) -> str:
    """Lower case without diacritics: "dich vu" finds "dịch vụ", as the portal's own search does."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def values(package: dict, field: str) -> set[str]:
    if field == "organization":
        return {package["organization"]["name"]} if package["organization"] else set()
    if field == "groups":
        return {g["name"] for g in package["groups"]}
    if field == "tags":
        return {t["name"] for t in package["tags"]}
    if field == "res_format":
        return {r["format"] for r in package["resources"]}
    return {package[field] or ""}


def filters(fq: str) -> list[tuple[bool, str, str]]:
    """(wanted, field, value) of each clause of fq; a clause this subset cannot read is refused, not ignored."""
    rest = FILTER.sub("", fq).replace("AND", " ").strip()
    if rest:
        raise BadQuery(f"Search Query Error: unsupported fq: {rest!r}")
    return [(m["negate"] != "-", m["field"], m["value"].strip('"')) for m in FILTER.finditer(fq)]


def text(package: dict) -> str:
    parts = [package["name"], package["title"], package["notes"], package["author"]]
    parts += [t["name"] for t in package["tags"]] + [e["value"] for e in package["extras"] if e["key"].endswith("_en")]
    parts += [g["title"] for g in package["groups"]] + (
        [package["organization"]["title"]] if package["organization"] else []
    )
    return folded(" ".join(p for p in parts if p))


def ordered(packages: list[dict], sort: str) -> list[dict]:
    """`sort` is "field asc|desc[, ...]"; the default is newest first, as CKAN's without a query."""
    keys = [part.split() for part in (sort or "metadata_modified desc").split(",") if part.strip()]
    result = list(packages)
    for words in reversed(keys):
        field, direction = words[0], (words[1] if len(words) > 1 else "asc").lower()
        if field == "score":
            continue
        if field not in SORTABLE or direction not in ("asc", "desc"):
            raise BadQuery(f"Search Query Error: cannot sort by {' '.join(words)!r}")
        result.sort(key=lambda p, name=SORTABLE[field]: folded(str(p[name] or "")), reverse=direction == "desc")
    return result


def search(packages: list[dict], q: str = "", fq: str = "", sort: str = "", rows=None, start=None) -> dict:
    """CKAN's package_search result for `packages`: count, results, sort, facets, and the rows applied."""
    rows = ROWS_DEFAULT if rows in (None, "") else int(rows)
    start = 0 if start in (None, "") else int(start)
    if rows < 0 or start < 0:
        raise ValueError("rows and start must be 0 or more")
    words = [folded(w) for w in re.findall(r"\w+", q or "") if w not in ("AND", "OR")] if q not in ("*:*",) else []
    clauses = filters(fq or "")
    matched = [
        p
        for p in packages
        if all(w in text(p) for w in words)
        and all((value in values(p, field)) == wanted for wanted, field, value in clauses)
    ]
    found = ordered(matched, sort)
    result = {
        "count": len(found),
        "sort": sort or "metadata_modified desc",
        "facets": {},
        "search_facets": {},
        "results": found[start : start + min(rows, ROWS_MAX)],
    }
    if rows > ROWS_MAX:
        result["warning"] = f"rows limited to {ROWS_MAX} (asked {rows}) · số dòng tối đa {ROWS_MAX}"
    return result
