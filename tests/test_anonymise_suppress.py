"""Cell suppression: known answers on tiny tables, and an integer attacker that must never pin a hidden cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from scripts.build.anonymise.audit import feasible_ranges
from scripts.build.anonymise.cube import TOTAL, count_cube
from scripts.build.anonymise.suppress import SuppressionFailed, suppress_counts


def skewed(seed: int, sizes: list[int], rows: int) -> pd.DataFrame:
    """Random categories with skewed weights, so that some cells are small and some are empty."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            f"d{i}": [f"v{v}" for v in rng.choice(size, rows, p=rng.dirichlet(np.full(size, 0.7)))]
            for i, size in enumerate(sizes)
        }
    )


def integer_attack(cube: pd.DataFrame, dims: list[str], threshold: int) -> pd.DataFrame:
    """Min and max of every hidden cell over all integer tables consistent with the published cube.

    Written from the published frame alone: each total equals the sum of its children along every
    dimension, hidden cells are at least 1 (zeros are shown), and a published reason bounds a cell.
    """
    cube = cube.reset_index(drop=True)
    hidden = cube["count"].isna().to_numpy()
    variable = np.full(len(cube), -1)
    variable[hidden] = np.arange(hidden.sum())
    known = cube["count"].fillna(0).to_numpy(dtype=float)
    rows, cols, coefs, rhs = [], [], [], []
    for dim in dims:
        others = [d for d in dims if d != dim]
        groups = (
            cube.groupby(others if len(others) > 1 else others[0], sort=False).groups.values()
            if others
            else [cube.index]
        )
        for members in groups:
            members = np.asarray(members)
            sign = np.where(cube.loc[members, dim].to_numpy() == TOTAL, 1.0, -1.0)
            unknown = hidden[members]
            if not unknown.any():
                assert (sign * known[members]).sum() == 0, "published line does not add up"
                continue
            rows += [len(rhs)] * int(unknown.sum())
            cols += list(variable[members[unknown]])
            coefs += list(sign[unknown])
            rhs.append(-(sign[~unknown] * known[members[~unknown]]).sum())
    n = int(hidden.sum())
    a = sparse.csr_matrix((coefs, (rows, cols)), shape=(len(rhs), n))
    reason = cube["suppression"].fillna("").to_numpy()[hidden]
    lower = np.where(reason == "secondary", threshold, 1.0)
    upper = np.where(reason == "primary", threshold - 1.0, np.inf)
    out = []
    for j in range(n):
        c = np.zeros(n)
        c[j] = 1.0
        ends = []
        for sense in (1.0, -1.0):
            res = milp(
                sense * c,
                constraints=LinearConstraint(a, rhs, rhs),
                bounds=Bounds(lower, upper),
                integrality=np.ones(n),
            )
            if res.status == 0:
                ends.append(sense * res.fun)
            else:
                assert sense < 0 and res.status in (3, 4), res.message  # only a maximum may be unbounded
                ends.append(np.inf)
        out.append(ends)
    return pd.DataFrame(out, columns=["min", "max"], index=np.flatnonzero(hidden))


def lines_of(cube: pd.DataFrame, dims: list[str]):
    """Every line of the cube: the total and its children along one dimension."""
    for dim in dims:
        others = [d for d in dims if d != dim]
        groups = cube.groupby(others if len(others) > 1 else others[0], sort=False) if others else [(None, cube)]
        for _, line in groups:
            yield dim, line


def test_the_cube_holds_every_cell_its_margins_and_zeros():
    data = pd.DataFrame({"sex": ["F", "F", "M"], "commune": ["01", "02", "01"]})
    shape, counts = count_cube(data, ["sex", "commune"])
    assert shape.levels == (("F", "M"), ("01", "02"))
    table = counts.reshape(shape.sizes)
    # Code 0 of each dimension is its total: grand total, row totals, column totals, then the cells.
    assert table.tolist() == [[3, 2, 1], [2, 1, 1], [1, 1, 0]]


def test_declared_levels_add_empty_categories_and_reject_unknown_values():
    data = pd.DataFrame({"sex": ["F", "M"], "quarter": ["2024-Q1", "2024-Q1"]})
    shape, counts = count_cube(data, ["sex", "quarter"], levels={"quarter": ["2024-Q1", "2024-Q2"]})
    assert shape.levels[1] == ("2024-Q1", "2024-Q2")
    assert counts.reshape(shape.sizes)[:, 2].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="outside its categories"):
        count_cube(data, ["sex", "quarter"], levels={"quarter": ["2024-Q2"]})


def test_missing_values_and_bad_thresholds_are_refused():
    with pytest.raises(ValueError, match="missing values"):
        suppress_counts(pd.DataFrame({"a": ["x", None], "b": ["y", "y"]}), ["a", "b"])
    with pytest.raises(ValueError, match="below the minimum"):
        suppress_counts(skewed(0, [3, 3], 50), ["d0", "d1"], threshold=2)


def test_a_small_cell_and_its_rectangle_are_hidden():
    data = pd.DataFrame({"row": ["a"] * 23 + ["b"] * 70, "col": ["x"] * 3 + ["y"] * 20 + ["x"] * 30 + ["y"] * 40})
    cube = suppress_counts(data, ["row", "col"]).set_index(["row", "col"])
    assert cube.loc[("a", "x"), "suppression"] == "suppressed"
    assert cube.attrs["cells_primary"] == 1
    # Row a and column x each need a second hidden cell, and those need a fourth: a rectangle.
    assert cube.loc[[("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")], "count"].isna().all()
    assert cube.loc[(TOTAL, TOTAL), "count"] == 93
    assert cube["count"].isna().sum() == 4


def test_zeros_are_published_and_never_hidden():
    data = pd.DataFrame({"a": ["p"] * 40 + ["q"] * 25, "b": ["x"] * 40 + ["y"] * 25})
    cube = suppress_counts(data, ["a", "b"])
    assert cube["count"].isna().sum() == 0
    assert (cube["count"] == 0).sum() == 2


def test_an_empty_frame_gives_a_cube_of_zeros():
    cube = suppress_counts(pd.DataFrame({"a": ["x"], "b": ["y"]}).iloc[:0], ["a", "b"], levels={"a": ["x"], "b": ["y"]})
    assert cube["count"].tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("sizes, rows", [([5, 4], 150), ([4, 3, 3], 300), ([3, 3, 2, 2], 250)])
@pytest.mark.parametrize("reasons", [False, True])
def test_no_hidden_cell_can_be_pinned_by_an_integer_attacker(seed, sizes, rows, reasons):
    data = skewed(seed, sizes, rows)
    dims = list(data.columns)
    try:
        cube = suppress_counts(data, dims, threshold=5, reasons_published=reasons)
    except SuppressionFailed:
        assert reasons, "without published reasons, hiding every non-zero cell is always safe"
        return
    ranges = integer_attack(cube, dims, threshold=5)
    truth = cube["count"].copy()
    assert (ranges["max"] - ranges["min"] >= 1).all(), ranges[ranges["max"] == ranges["min"]]
    assert len(ranges) == cube.attrs["cells_primary"] + cube.attrs["cells_secondary"]
    assert truth.notna().sum() + len(ranges) == len(cube)


@pytest.mark.parametrize("seed", range(3))
def test_the_exact_lp_audit_agrees_with_the_integer_attacker_on_two_way_tables(seed):
    # Two-way tables with margins have integral LP bounds, so both attackers find the same ranges.
    data = skewed(seed, [5, 4], 200)
    cube = suppress_counts(data, ["d0", "d1"], threshold=5)
    ours = feasible_ranges(cube, ["d0", "d1"], threshold=5)
    theirs = integer_attack(cube, ["d0", "d1"], threshold=5)
    assert np.allclose(ours["min"], theirs["min"].to_numpy())
    assert np.allclose(ours["max"], theirs["max"].to_numpy())
    assert not ours["exact"].any()


@pytest.mark.parametrize("seed", range(4))
def test_published_cells_are_never_small_and_published_lines_add_up(seed):
    data = skewed(seed, [6, 3, 2], 400)
    dims = list(data.columns)
    cube = suppress_counts(data, dims, threshold=10)
    published = cube["count"].dropna()
    assert not ((published > 0) & (published < 10)).any()
    assert (cube["count"].isna() == cube["suppression"].notna()).all()
    for dim, line in lines_of(cube, dims):
        total = line.loc[line[dim] == TOTAL, "count"].iloc[0]
        children = line.loc[line[dim] != TOTAL, "count"]
        if pd.notna(total) and children.notna().all():
            assert total == children.sum()
        # A line never hides exactly one cell: it would be its total minus the others.
        assert line["count"].isna().sum() != 1


def test_the_grand_total_matches_the_microdata():
    data = skewed(7, [4, 4], 321)
    cube = suppress_counts(data, ["d0", "d1"])
    grand = cube[(cube["d0"] == TOTAL) & (cube["d1"] == TOTAL)]["count"].iloc[0]
    assert grand == 321


def test_published_reasons_are_labelled_and_bound_the_attacker():
    data = skewed(3, [5, 4], 200)
    cube = suppress_counts(data, ["d0", "d1"], threshold=5, reasons_published=True)
    assert set(cube["suppression"].dropna()) <= {"primary", "secondary"}
    hidden = cube[cube["count"].isna()]
    assert (hidden["suppression"] == "primary").sum() == cube.attrs["cells_primary"]
    ranges = feasible_ranges(cube, ["d0", "d1"], threshold=5)
    primary = ranges[ranges["suppression"] == "primary"]
    assert (primary["min"] >= 1).all() and (primary["max"] <= 4).all()
    assert (ranges.loc[ranges["suppression"] == "secondary", "min"] >= 5).all()


def test_a_table_whose_reasons_give_cells_away_is_refused():
    # A total of 3 over three non-zero cells, each known to lie in 1..3, can only be 1 + 1 + 1.
    data = pd.DataFrame({"a": ["p", "p", "p"] + ["q"] * 60, "b": ["x", "y", "z"] + ["x", "y", "z"] * 20})
    with pytest.raises(SuppressionFailed, match="published reasons"):
        suppress_counts(data, ["a", "b"], threshold=4, reasons_published=True)
    cube = suppress_counts(data, ["a", "b"], threshold=4)
    assert not feasible_ranges(cube, ["a", "b"], threshold=4)["exact"].any()


def test_a_wider_protection_interval_is_met():
    data = skewed(5, [5, 4], 250)
    cube = suppress_counts(data, ["d0", "d1"], threshold=5, protection=3)
    ranges = integer_attack(cube, ["d0", "d1"], threshold=5)
    assert (ranges["max"] - ranges["min"] >= 3).all()


def test_the_audit_pins_a_cell_hidden_alone_in_its_row():
    cube = pd.DataFrame(
        {
            "a": ["p", "p", "p", "q", "q", "q", TOTAL, TOTAL, TOTAL],
            "b": ["x", "y", TOTAL] * 3,
            "count": pd.array([None, 20, 25, 30, 40, 70, 35, 60, 95], dtype="Int64"),
        }
    )
    cube["suppression"] = np.where(cube["count"].isna(), "suppressed", None)
    ranges = feasible_ranges(cube, ["a", "b"], threshold=10)
    assert ranges[["a", "b", "min", "max", "exact"]].values.tolist() == [["p", "x", 5.0, 5.0, True]]


def test_the_audit_gives_the_classic_ranges_of_a_hidden_two_by_two_block():
    # Margins 10/20 by rows, 12/18 by columns: cell (p, x) lies in [max(0, 10 - 18), min(10, 12)] = [0, 10].
    cube = pd.DataFrame(
        {
            "a": ["p", "p", "p", "q", "q", "q", TOTAL, TOTAL, TOTAL],
            "b": ["x", "y", TOTAL] * 3,
            "count": pd.array([None, None, 10, None, None, 20, 12, 18, 30], dtype="Int64"),
        }
    )
    ranges = feasible_ranges(cube, ["a", "b"]).set_index(["a", "b"])
    assert ranges.loc[("p", "x"), ["min", "max"]].tolist() == [0.0, 10.0]
    assert ranges.loc[("q", "y"), ["min", "max"]].tolist() == [8.0, 18.0]
    # Knowing that hidden cells are never zero narrows the range by one at each end.
    known = feasible_ranges(
        cube.assign(suppression=np.where(cube["count"].isna(), "suppressed", None)), ["a", "b"], threshold=10
    ).set_index(["a", "b"])
    assert known.loc[("p", "x"), ["min", "max"]].tolist() == [1.0, 9.0]


def test_a_hidden_grand_total_is_pinned_by_published_margins_and_free_cells_are_unbounded():
    cube = pd.DataFrame(
        {
            "a": ["p", "p", "p", "q", "q", "q", TOTAL, TOTAL, TOTAL],
            "b": ["x", "y", TOTAL] * 3,
            "count": pd.array([None, None, None, None, None, None, 12, 18, None], dtype="Int64"),
        }
    )
    ranges = feasible_ranges(cube, ["a", "b"]).set_index(["a", "b"])
    assert ranges.loc[(TOTAL, TOTAL), ["min", "max", "exact"]].tolist() == [30.0, 30.0, True]
    assert ranges.loc[("p", "x"), ["min", "max"]].tolist() == [0.0, 12.0]
    cube["count"] = pd.array([5] + [None] * 8, dtype="Int64")
    ranges = feasible_ranges(cube, ["a", "b"]).set_index(["a", "b"])
    assert ranges.loc[("q", "y"), ["min", "max"]].tolist() == [0.0, np.inf]
    assert ranges.loc[("p", TOTAL), ["min", "max"]].tolist() == [5.0, np.inf]
