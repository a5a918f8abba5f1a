"""A map of a dataset by commune, drawn on the server as SVG: one mark per commune, sized by a measure.

A table has a commune dimension when a foreign key leads from one of its columns to a code list with latitude and
longitude (the communes: scripts/build/publish/references.py). Each commune's value is the measure summed over the
table's other dimensions: in a count table only its finest cells (rows without a total, "Tổng", in another
dimension), only the published ones; suppressed cells are left out and counted. The map needs no tile server and
makes no request of its own: its marks sit on the communes' coordinates, projected into the SVG's viewBox.
"""

from __future__ import annotations

import math

from datasette.utils import escape_sqlite
from datasette.utils.asgi import BadRequest

from . import catalogue, contract, formats
from .translations import gettext

TOTAL = "Tổng"  # the total category of count tables (scripts/build/anonymise/cube.py)
SUPPRESSION = "suppression"  # the count tables' column naming a hidden cell
ROWS = "rows"  # the measure "number of rows", for tables with no numeric column of their own
NUMERIC = ("INTEGER", "REAL", "FLOAT", "NUMERIC")
WIDTH, MARGIN, MAX_RADIUS, MIN_RADIUS = 400, 24, 18.0, 3.5


def format_number(value, lang: str) -> str:
    """3.300 and 37,6 in Vietnamese; 3,300 and 37.6 in English."""
    if value is None:
        return "—"
    return formats.number(value, lang, 0 if float(value).is_integer() else 1)


async def _commune_key(datasette, database: str, table: str) -> dict | None:
    """The column holding commune codes and the code list it refers to, or None."""
    db = datasette.databases[database]
    for fk in await db.foreign_keys_for_table(table):
        label = (datasette.table_metadata(database, fk["other_table"]) or {}).get("label_column")
        if label and {"latitude", "longitude"} <= set(await db.table_columns(fk["other_table"])):
            return {"column": fk["column"], "list": fk["other_table"], "key": fk["other_column"], "label": label}
    return None


async def measures(datasette, database: str, table: str, link: dict, lang: str) -> list[dict]:
    """The numeric columns a map may show (not keys), or the number of rows when there are none."""
    db = datasette.databases[database]
    keys = set(await db.primary_keys(table))
    details = (datasette.table_metadata(database, table) or {}).get(contract.COLUMN_DETAILS) or {}
    found = []
    for detail in await db.table_column_details(table):
        if detail.type.upper() in NUMERIC and detail.name not in keys and detail.name != link["column"]:
            text = catalogue.column_entry(details.get(detail.name))
            label = (text["label_en"] if lang == "en" else text["label_vi"]) or detail.name
            # Units are written in Vietnamese only (scripts/build/publish/metadata.py).
            found.append({"name": detail.name, "label": label, "unit": text["unit"] if lang == "vi" else ""})
    counted = SUPPRESSION in {detail.name for detail in await db.table_column_details(table)}
    if not counted:  # in a count table a row is a cell, and counting cells would mean nothing
        found.append({"name": ROWS, "label": gettext("Rows", lang), "unit": ""})
    return found


def _project(marks: list[dict]) -> int:
    """Place marks in a WIDTH-wide box (equirectangular, scaled by the cosine of the latitude); return the height."""
    lats, lons = [m["latitude"] for m in marks], [m["longitude"] for m in marks]
    stretch = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * stretch, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (WIDTH * 0.9 - 2 * MARGIN) / span_y)
    for mark in marks:
        mark["x"] = round(MARGIN + (mark["longitude"] - min(lons)) * stretch * scale, 1)
        mark["y"] = round(MARGIN + (max(lats) - mark["latitude"]) * scale, 1)
    return round(2 * MARGIN + span_y * scale)


async def commune_map(datasette, request, database: str, table: str, lang: str) -> dict | None:
    """Everything the partial template draws, or None when the table has no commune dimension with data."""
    link = await _commune_key(datasette, database, table)
    if link is None:
        return None
    offered = await measures(datasette, database, table, link, lang)
    chosen_name = request.args.get("measure") or offered[0]["name"]
    chosen = next((m for m in offered if m["name"] == chosen_name), None)
    if chosen is None:
        raise BadRequest(
            f"measure: no measure {chosen_name!r} on this map; allowed values: " + ", ".join(m["name"] for m in offered)
        )
    db = datasette.databases[database]
    columns = await db.table_columns(table)
    counted = SUPPRESSION in columns
    others = [c for c in await db.primary_keys(table) if c != link["column"]] if counted else []
    value = "count(*)" if chosen["name"] == ROWS else f"sum(t.{escape_sqlite(chosen['name'])})"
    hidden = f"sum(t.{escape_sqlite(SUPPRESSION)} is not null)" if counted else "0"
    finest = " and ".join(f"t.{escape_sqlite(c)} != :total" for c in others) or "1"
    sql = (
        f"select c.{escape_sqlite(link['key'])} as code, c.{escape_sqlite(link['label'])} as name, "
        f"c.latitude, c.longitude, {value} as value, {hidden} as hidden "
        f"from {escape_sqlite(table)} t join {escape_sqlite(link['list'])} c "
        f"on c.{escape_sqlite(link['key'])} = t.{escape_sqlite(link['column'])} "
        f"where {finest} and c.latitude is not null and c.longitude is not null group by 1 order by 2"
    )
    marks = [dict(row) for row in (await db.execute(sql, {"total": TOTAL})).rows]
    if not marks:
        return None
    height = _project(marks)
    top = max((m["value"] or 0 for m in marks), default=0)
    for mark in marks:
        share = (mark["value"] or 0) / top if top > 0 else 0
        mark["r"] = round(max(MAX_RADIUS * math.sqrt(share), MIN_RADIUS), 1)
        mark["empty"] = not mark["value"]
        mark["shown"] = format_number(mark["value"], lang) if mark["value"] is not None else (gettext("hidden", lang))
        # A mark near the right edge has its label on its left, inside the box.
        mark["right"] = mark["x"] > WIDTH * 0.6
        mark["label_x"] = round(mark["x"] - mark["r"] - 4 if mark["right"] else mark["x"] + mark["r"] + 4, 1)
    legend = (
        [{"value": format_number(v, lang), "r": round(MAX_RADIUS * math.sqrt(v / top), 1)} for v in _legend_values(top)]
        if top > 0
        else []
    )
    return {
        "marks": marks,
        "width": WIDTH,
        "height": height,
        "measure": chosen,
        "measures": offered,
        "legend": legend,
        "hidden": sum(m["hidden"] or 0 for m in marks),
        "counted": counted,
        "table": sorted(marks, key=lambda m: (-(m["value"] or 0), m["name"])),
    }


def _legend_values(top: float) -> list[float]:
    """Round values at the top, a quarter and a twentieth of the largest, for circles of a known size."""
    values = []
    for share in (1, 0.25, 0.05):
        raw = top * share
        if raw <= 0:
            continue
        step = 10 ** max(math.floor(math.log10(raw)), 0)
        rounded = round(raw / step) * step
        if rounded > top:  # the largest circle stands for no more than the largest value
            rounded = math.floor(raw / step) * step
        rounded = max(rounded, 1)
        if rounded <= top and rounded not in values:
            values.append(rounded)
    return values
