"""Attack every published count table together, with what anyone knows, as a determined reader would.

Each table resisting an attack on its own is not enough: a procedure list prints a total that one table hid,
a marriage registers a man and a woman, an account is activated after it is registered. The attacker of
tests/joint_attack.py uses all of it; the release must give away no hidden cell, and the same attack finds
the cells a per-table audit leaves exposed (the positive controls below).
"""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from scripts.build.anonymise.cube import TOTAL, count_cube
from scripts.build.anonymise.joint import Block, JointSystem, protect_jointly
from scripts.build.anonymise.suppress import protect
from tests.joint_attack import JointAttack, disclosed

PERIODS = ("month", "quarter", "year")


def published(db, table: str) -> tuple[pd.DataFrame, list[str], str]:
    frame = pd.read_sql(f"select * from [{table}]", db, dtype={"suppression": str})
    count = [c for c in frame.columns if c != "suppression"][-1]
    frame[count] = frame[count].astype("Int64")
    return frame, [c for c in frame.columns if c not in (count, "suppression")], count


def _period(dims: list[str]) -> str | None:
    return next((d for d in dims if d in PERIODS), None)


def _equal_where_both(attack: JointAttack, left: list[int], right: list[int]) -> None:
    """Equal counts, where both tables publish that breakdown (one may be published at another level)."""
    if left and right:
        attack.equal(left, right)


def what_anyone_knows(attack: JointAttack, db) -> None:
    """The facts the portal's readers have, written from what the portal publishes and the law."""
    dims = attack.dims
    # A marriage registers a man and a woman in the same commune and month.
    civil = "civil_status_by_commune_month"
    if civil in dims and "sex" in dims[civil]:
        for (table, values), cell in list(attack.index.items()):
            row = dict(zip(dims[civil], values)) if table == civil else None
            if row and row.get("event_type") == "Kết hôn" and row["sex"] == "Nam":
                twin = attack.index[(civil, tuple("Nữ" if d == "sex" else row[d] for d in dims[civil]))]
                attack.equal([cell], [twin])
    # Deaths by sex are the deaths of the civil-status table.
    deaths = "deaths_by_age_band"
    if civil in dims and deaths in dims:
        for sex in ("Nam", "Nữ", TOTAL):
            _equal_where_both(attack, attack.cells(civil, event_type="Khai tử", sex=sex), attack.cells(deaths, sex=sex))
    # Applications by status and year are the same people in both application tables.
    by_year, by_channel = "online_applications_by_procedure_year", "online_applications_by_channel_quarter"
    if by_year in dims and by_channel in dims and _period(dims[by_channel]) in ("year", "quarter"):
        channel_period = _period(dims[by_channel])
        labels = {v[dims[by_channel].index(channel_period)] for t, v in attack.index if t == by_channel}
        for year in {v[dims[by_year].index("year")] for t, v in attack.index if t == by_year} - {TOTAL}:
            periods = [p for p in labels if p.startswith(year)]
            for status in ("Đúng hạn", "Trễ hạn", "Đang xử lý", TOTAL):
                _equal_where_both(
                    attack,
                    attack.cells(by_year, year=year, status=status),
                    attack.cells(by_channel, **{channel_period: periods, "status": status}),
                )
    # The procedure list prints each procedure's applications of 2024 (the extract ends in June 2024).
    if by_year in dims and "procedure_code" in dims[by_year]:
        listed = pd.read_sql("select procedure_code, applications_h1_2024 from online_procedures", db)
        for code, value in listed.dropna().itertuples(index=False):
            cells = attack.cells(by_year, procedure_code=code, year="2024")
            if cells:
                attack.known(cells, value)
    # An account is activated only after it is registered: cumulated over time, per commune and level.
    registered, activated = "vneid_registrations_by_commune_month", "vneid_activations_by_commune_month"
    if registered in dims and activated in dims and _period(dims[registered]) == _period(dims[activated]):
        period = _period(dims[registered])
        for table, values in list(attack.index):
            if table != registered:
                continue
            row = dict(zip(dims[registered], values))
            if TOTAL in row.values():
                continue
            earlier = sorted(
                v[dims[registered].index(period)]
                for t, v in attack.index
                if t == registered and v[dims[registered].index(period)] <= row[period]
            )
            where = {d: row[d] for d in dims[registered] if d != period} | {period: [p for p in earlier if p != TOTAL]}
            attack.at_most(attack.cells(activated, **where), attack.cells(registered, **where))


def attack_release(path) -> pd.DataFrame:
    db = sqlite3.connect(path)
    attack = JointAttack()
    reports = db.execute("select dataset, threshold, perturbation from disclosure_report where method = 'aggregate'")
    for table, threshold, perturbation in reports.fetchall():
        frame, dims, count = published(db, table)
        # The report says how far a perturbed value may be from the truth; the attacker uses that.
        attack.add_table(table, frame, dims, count, threshold, json.loads(perturbation)["max"] if perturbation else 0)
    what_anyone_knows(attack, db)
    return attack.ranges()


@pytest.mark.slow
def test_no_hidden_cell_of_the_sample_release_falls_to_the_joint_attack(sample_release):
    ranges = attack_release(sample_release.release / "portal.db")
    assert len(ranges) > 100  # the small sample hides much: the attack has work to do
    assert disclosed(ranges).empty, disclosed(ranges).head(10).to_string()


def _cube(seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Marriages as couples and births by sex over communes and months, like the civil-status register."""
    rng = np.random.default_rng(seed)
    rows = []
    for commune in ("c1", "c2", "c3", "c4"):
        for month in ("2024-01", "2024-02", "2024-03"):
            couples = int(rng.integers(2, 25))
            rows += [(commune, month, "Kết hôn", sex) for _ in range(couples) for sex in ("Nam", "Nữ")]
            births = {sex: int(rng.integers(1, 30)) for sex in ("Nam", "Nữ")}
            rows += [(commune, month, "Khai sinh", sex) for sex, n in births.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["commune", "month", "event_type", "sex"]), [
        "commune",
        "month",
        "event_type",
        "sex",
    ]


def _frame(shape, counts, hidden) -> pd.DataFrame:
    data = {
        dim: [TOTAL if c == 0 else shape.levels[i][c - 1] for c in shape.coords[:, i]]
        for i, dim in enumerate(shape.dims)
    }
    frame = pd.DataFrame(data)
    frame["events"] = pd.array(np.where(hidden, np.nan, counts), dtype="Int64")
    return frame


def _marriage_attack(frame, dims) -> pd.DataFrame:
    attack = JointAttack()
    attack.add_table("civil_status_by_commune_month", frame, dims, "events", 10)
    what_anyone_knows(attack, None)
    return attack.ranges()


@pytest.mark.parametrize("seed", range(6))
def test_marriage_twins_give_away_cells_a_per_table_audit_hides_and_the_joint_audit_does_not(seed):
    micro, dims = _cube(seed)
    shape, counts = count_cube(micro, dims)
    primary, secondary = protect(shape, counts, 10, 10, secondary_protection=1)
    alone = disclosed(_marriage_attack(_frame(shape, counts, primary | secondary), dims))
    # The declared fact, as the spec states it, through the joint audit.
    block = Block("civil", shape, counts, 10, 10, primary | secondary, secondary_protection=1)
    system = JointSystem([block])
    sex, event = dims.index("sex"), dims.index("event_type")
    nam, nu = shape.levels[sex].index("Nam") + 1, shape.levels[sex].index("Nữ") + 1
    married = shape.levels[event].index("Kết hôn") + 1
    for cell in np.flatnonzero((shape.coords[:, sex] == nam) & (shape.coords[:, event] == married)):
        twin = shape.coords[cell].copy()
        twin[sex] = nu
        system.equal([cell], [int(np.ravel_multi_index(tuple(twin), shape.sizes))])
    protect_jointly(system)
    joint = disclosed(_marriage_attack(_frame(shape, counts, block.hidden), dims))
    assert not alone.empty  # the attack finds what a per-table audit misses ...
    assert joint.empty, joint.to_string()  # ... and nothing once the fact is audited
