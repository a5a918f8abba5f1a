"""Try to recover suppressed cells from published totals; any cell pinned to one value is a disclosure."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from scripts.build.anonymise.suppress import suppress_counts
from tests.attack import TOTAL, exactly_recoverable


def microdata(seed: int, sizes: list[int], rows: int) -> pd.DataFrame:
    """Skewed random categories, so that some cells are small and some are empty."""
    rng = np.random.default_rng(seed)
    columns = {}
    for i, size in enumerate(sizes):
        weights = rng.dirichlet(np.full(size, 0.7))
        columns[f"d{i}"] = [f"v{v}" for v in rng.choice(size, rows, p=weights)]
    return pd.DataFrame(columns)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("sizes, rows", [([6, 5], 120), ([8, 4, 3], 400), ([5, 4, 3, 2], 500)])
def test_no_suppressed_cell_can_be_recovered_exactly(seed, sizes, rows):
    data = microdata(seed, sizes, rows)
    dims = list(data.columns)
    cube = suppress_counts(data, dims, threshold=10)
    published = cube["count"].dropna()
    assert not ((published > 0) & (published < 10)).any()
    assert cube["suppression"].notna().sum() == cube["count"].isna().sum()
    assert exactly_recoverable(cube, dims, "count", 10).empty


def test_published_totals_are_the_sums_of_their_children():
    data = microdata(1, [7, 4], 300)
    cube = suppress_counts(data, ["d0", "d1"], threshold=10)
    truth = data.groupby("d0").size()
    totals = cube[(cube["d1"] == TOTAL) & (cube["d0"] != TOTAL)].set_index("d0")["count"].dropna()
    assert (totals == truth[totals.index]).all()
    assert cube[(cube["d0"] == TOTAL) & (cube["d1"] == TOTAL)]["count"].iloc[0] == 300


@pytest.mark.slow
def test_the_published_sample_aggregates_resist_the_attack(sample_release):
    db = sqlite3.connect(sample_release.release / "portal.db")
    # Perturbed tables do not add up exactly: tests/test_joint_attack.py attacks them with their noise bound.
    reports = db.execute(
        "select dataset, threshold from disclosure_report where method = 'aggregate' and perturbation is null"
    ).fetchall()
    assert len(reports) >= 5
    for table, threshold in reports:
        cube = pd.read_sql(f"select * from [{table}]", db)
        count = [c for c in cube.columns if c not in ("suppression",)][-1]
        dims = [c for c in cube.columns if c not in (count, "suppression")]
        small = cube[count].dropna()
        assert not ((small > 0) & (small < threshold)).any(), table
        assert exactly_recoverable(cube, dims, count, threshold).empty, table


def test_the_attack_finds_a_cell_hidden_alone_in_its_row():
    rows = [
        ("a", "x", 5),
        ("a", "y", 20),
        ("a", TOTAL, 25),
        ("b", "x", 30),
        ("b", "y", 40),
        ("b", TOTAL, 70),
        (TOTAL, "x", 35),
        (TOTAL, "y", 60),
        (TOTAL, TOTAL, 95),
    ]
    cube = pd.DataFrame(rows, columns=["d0", "d1", "count"])
    cube["count"] = cube["count"].astype("Int64")
    cube["suppression"] = None
    cube.loc[0, ["count", "suppression"]] = [pd.NA, "primary"]
    assert exactly_recoverable(cube, ["d0", "d1"], "count", 10)["cell"].tolist() == [0]
    # Hiding its whole rectangle protects it.
    cube.loc[[1, 3, 4], "count"] = pd.NA
    cube.loc[[1, 3, 4], "suppression"] = "secondary"
    assert exactly_recoverable(cube, ["d0", "d1"], "count", 10).empty
