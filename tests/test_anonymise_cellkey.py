"""Cell key perturbation: the ptable meets its constraints, keys are keyed and uniform, same records get same noise."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy import stats

from scripts.build.anonymise.cellkey import KEY_SCALE, CellKeyParameters, PTable, cell_keys, perturb, record_keys
from scripts.build.anonymise.cube import TOTAL, count_cube
from scripts.build.anonymise.pseudonym import PseudonymKeyMissing

KEY_A = b"a-secret-key-for-tests-only-0123456789"
KEY_B = b"another-secret-key-for-tests-987654321"
PARAMETERS = [(1, 0.5, 1), (1, 0.5, 2), (2, 1.0, 1), (2, 1.0, 2), (2, 1.0, 3), (3, 2.0, 3), (3, 1.5, 4), (2, 4.0, 1)]


def citizen_ids(n: int, start: int = 0) -> pd.Series:
    """Twelve-digit identifiers shaped like citizen ID numbers."""
    return pd.Series([f"0{79000000000 + start + i:011d}" for i in range(n)])


def people(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": citizen_ids(n),
            "sex": rng.choice(["Nam", "Nữ"], n),
            "age": rng.choice(["0-14", "15-59", "60+"], n, p=[0.2, 0.6, 0.2]),
            "district": rng.choice(["Bảo Lâm", "Bảo Lạc", "Hà Quảng", "Trùng Khánh"], n),
        }
    )


def cell_index(dims: list[str], levels: list[tuple], **where) -> int:
    """Flat C-order index of the cell whose named dims take the given labels and the rest are totals."""
    codes = [0 if d not in where else 1 + levels[i].index(where[d]) for i, d in enumerate(dims)]
    return int(np.ravel_multi_index(codes, [len(level) + 1 for level in levels]))


@pytest.mark.parametrize("d, v, js", PARAMETERS)
def test_every_ptable_row_is_an_unbiased_distribution_within_d_that_never_publishes_1_to_js_minus_1(d, v, js):
    table = PTable.build(d, v, js)
    p, shift = table.probabilities, table.perturbations
    assert table.cap == js + d and p.shape == (js + d + 1, 2 * d + 1)
    assert (p >= 0).all()
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(table.row_means, 0, rtol=0, atol=1e-12)
    assert p[0].tolist() == [0.0] * d + [1.0] + [0.0] * d  # zero stays zero
    published = np.arange(table.cap + 1)[:, None] + shift[None, :]
    assert not ((p > 0) & (published > 0) & (published < js)).any()
    assert not ((p > 0) & (published < 0)).any()


@pytest.mark.parametrize(
    "d, v, js, expected",
    [
        (2, 1.0, 1, [0, 1, 1, 1]),
        # Count 1 can only become 0 or 3, count 2 no closer than 0 or 3: both need variance 2 to stay unbiased.
        # Count 3 cannot move down without reaching 1 or 2 nor up without bias, so it is published as it is.
        (2, 1.0, 3, [0, 2, 2, 0, 1, 1]),
        (3, 2.0, 3, [0, 2, 2, 2, 2, 2, 2]),
        (2, 4.0, 1, [0, 2, 4, 4]),  # count 1 cannot move by -2, so its variance is at most 2
    ],
)
def test_ptable_rows_have_the_variance_asked_for_wherever_they_can_carry_it(d, v, js, expected):
    np.testing.assert_allclose(PTable.build(d, v, js).row_variances, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("d, v, js", [(d, v, js) for d, v, js in PARAMETERS if d >= 2 and v < d**2])
def test_ptable_rows_are_maximum_entropy(d, v, js):
    """On a support of four or more values, maximum entropy under mean and variance makes log p quadratic in d."""
    table = PTable.build(d, v, js)
    checked = 0
    for row in table.probabilities:
        support = row > 0
        if support.sum() >= 4:
            x, y = table.perturbations[support], np.log(row[support])
            fit = np.polyval(np.polyfit(x, y, 2), x)
            np.testing.assert_allclose(fit, y, rtol=0, atol=1e-8)
            checked += 1
    assert checked >= 1


def test_maximum_entropy_row_is_the_known_symmetric_one():
    """D=2, V=1: p(d) is proportional to exp(b*d**2), which gives p(0)=0.3830, p(±1)=0.2447, p(±2)=0.0638."""
    row = PTable.build(2, 1.0, 1).probabilities[-1]
    np.testing.assert_allclose(row, row[::-1], atol=1e-12)
    ratio = row[3] / row[2]  # exp(b)
    np.testing.assert_allclose(row[4] / row[2], ratio**4, rtol=1e-9)
    np.testing.assert_allclose(row, [0.0638, 0.2447, 0.3830, 0.2447, 0.0638], atol=5e-5)


@pytest.mark.parametrize("d, v, js", [(2, 4.5, 1), (2, 0.0, 1), (2, -1.0, 1), (2, 1.0, 4), (0, 1.0, 1)])
def test_ptable_refuses_parameters_it_cannot_meet(d, v, js):
    with pytest.raises(ValueError):
        PTable.build(d, v, js)


@pytest.mark.parametrize("d, v, js", [(2, 1.0, 3), (3, 2.0, 3), (2, 1.0, 1)])
def test_perturbation_frequencies_follow_the_ptable_row(d, v, js):
    """Evenly spread cell keys pick each perturbation with its ptable probability, to within one key in n."""
    table, n = PTable.build(d, v, js), 10_000
    keys = (np.arange(n) + 0.5) / n
    for count in range(table.cap + 3):
        published = perturb(np.full(n, count), keys, table)
        frequency = np.bincount(published - count + d, minlength=2 * d + 1) / n
        np.testing.assert_allclose(frequency, table.probabilities[min(count, table.cap)], rtol=0, atol=1.5 / n)
        assert not ((published > 0) & (published < js)).any() and (published >= 0).all()
        assert abs((published - count).mean()) < 2 / n


def test_no_key_picks_a_perturbation_of_probability_zero_even_when_a_row_sums_to_just_below_one():
    row = [0.7, 0.2, 0.1, 0.0, 0.0]  # 0.7 + 0.2 + 0.1 is 0.9999999999999999 in floating point
    table = PTable(2, 1.0, 1, np.array([[0.0, 0.0, 1.0, 0.0, 0.0], row]))
    keys = np.array([0.0, 0.69, 0.7, 0.9, np.nextafter(1.0, 0.0)])
    assert (perturb(np.ones(5, dtype=int), keys, table) - 1).tolist() == [-2, -2, -1, 0, 0]


def test_record_keys_are_uniform():
    keys = record_keys(citizen_ids(10_000), KEY_A)
    assert keys.shape == (10_000,) and (keys >= 0).all() and (keys < 1).all()
    assert stats.kstest(keys, "uniform").pvalue > 0.01
    # Cell keys of three-person cells are sums modulo 1, uniform too.
    assert stats.kstest(keys.reshape(-1, 4)[:, :3].sum(axis=1) % 1, "uniform").pvalue > 0.01


def test_record_keys_are_stable_for_a_secret_and_differ_with_another():
    ids = pd.Series(["001087001234", "079203004567", " 001087001234 "])
    first, again = record_keys(ids, KEY_A), record_keys(ids, KEY_A)
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] != first[1]
    other = record_keys(citizen_ids(1000), KEY_B)
    assert not np.isin(other, record_keys(citizen_ids(1000), KEY_A)).any()


def test_record_keys_cannot_be_recomputed_from_a_published_pseudonym_or_an_unkeyed_hash():
    """The secret is bound to its purpose, so a pseudonym made with the same secret does not reveal the key."""
    value = "001087001234"
    key = record_keys(pd.Series([value]), KEY_A)[0]
    for digest in (hmac.digest(KEY_A, value.encode(), "sha256"), hashlib.sha256(value.encode()).digest()):
        assert key != (int.from_bytes(digest[:8], "big") >> 11) / KEY_SCALE


def test_record_keys_need_a_secret_and_an_identifier_for_every_record():
    with pytest.raises(PseudonymKeyMissing):
        record_keys(citizen_ids(3), b"short")
    for ids in (pd.Series(["001087001234", None]), pd.Series(["001087001234", "  "])):
        with pytest.raises(ValueError, match="identifier"):
            record_keys(ids, KEY_A)


def test_a_cell_has_the_same_key_and_perturbation_in_every_table_that_shows_its_records():
    micro, table = people(1, 800), PTable.build(2, 1.0, 3)
    keys = record_keys(micro["id"], KEY_A)
    published = {}
    for dims in (["sex"], ["sex", "age"], ["district", "sex"], ["age", "district", "sex"]):
        shape, counts = count_cube(micro, dims)
        cells = cell_keys(micro, dims, keys)
        published[tuple(dims)] = (shape, counts, cells, perturb(counts, cells, table))
    women = [
        (shape, counts[i], cells[i], out[i])
        for (shape, counts, cells, out) in published.values()
        for i in [cell_index(list(shape.dims), list(shape.levels), sex="Nữ")]
    ]
    assert len({w[1:] for w in women}) == 1
    totals = {(counts[0], cells[0], out[0]) for (_, counts, cells, out) in published.values()}
    assert len(totals) == 1
    # A table of one district alone shows the same women as that district's cell in the district x sex table.
    district = micro[micro["district"] == "Hà Quảng"]
    shape, counts = count_cube(district, ["sex"])
    alone = perturb(counts, cell_keys(district, ["sex"], keys[district.index]), table)
    big_shape, _, _, big = published[("district", "sex")]
    inside = cell_index(["district", "sex"], list(big_shape.levels), district="Hà Quảng", sex="Nữ")
    assert alone[cell_index(["sex"], list(shape.levels), sex="Nữ")] == big[inside]


def test_a_perturbation_is_redrawn_when_a_record_of_its_cell_changes_and_kept_when_others_change():
    """2,000 cells of 15 people each: replace one person in every even cell and add people to new cells."""
    n_cells, size, table = 2000, 15, PTable.build(2, 1.0, 3)
    micro = pd.DataFrame({"id": citizen_ids(n_cells * size), "area": np.repeat(np.arange(n_cells), size)})
    levels = {"area": list(range(n_cells + 10))}
    shape, counts = count_cube(micro, ["area"], levels)
    before_keys = cell_keys(micro, ["area"], record_keys(micro["id"], KEY_A), levels)
    before = perturb(counts, before_keys, table)

    changed = micro.copy()
    replaced = np.arange(0, n_cells, 2) * size  # the first person of every even cell
    changed.loc[replaced, "id"] = citizen_ids(len(replaced), start=10**6).to_numpy()
    newcomers = pd.DataFrame({"id": citizen_ids(50, start=2 * 10**6), "area": n_cells + np.arange(50) % 10})
    changed = pd.concat([changed, newcomers], ignore_index=True)
    after_counts = count_cube(changed, ["area"], levels)[1]
    after_keys = cell_keys(changed, ["area"], record_keys(changed["id"], KEY_A), levels)
    after = perturb(after_counts, after_keys, table)

    touched = np.zeros(shape.n_cells, dtype=bool)
    touched[1 + np.arange(0, n_cells, 2)] = True
    untouched = np.zeros(shape.n_cells, dtype=bool)
    untouched[1 + np.arange(1, n_cells, 2)] = True
    assert (after_counts[touched] == counts[touched]).all()
    assert (after_keys[touched] != before_keys[touched]).all()
    assert (after_keys[untouched] == before_keys[untouched]).all() and (after[untouched] == before[untouched]).all()
    # A new key draws the perturbation afresh: it stays the same with probability sum(p**2) = 0.275 for this row.
    same = table.probabilities[-1] @ table.probabilities[-1]
    kept = (after[touched] == before[touched]).mean()
    assert abs(kept - same) < 0.04
    assert after_keys[0] != before_keys[0]  # the grand total holds changed records


def test_empty_cells_have_key_zero_and_stay_zero():
    micro = people(2, 40)
    levels = {"age": ["0-14", "15-59", "60+", "80+"]}
    _shape, counts = count_cube(micro, ["sex", "age"], levels)
    keys = cell_keys(micro, ["sex", "age"], record_keys(micro["id"], KEY_A), levels)
    empty = counts == 0
    assert empty.sum() >= 2 and (keys[empty] == 0).all()
    assert (perturb(counts, keys, PTable.build(2, 1.0, 3))[empty] == 0).all()


def test_cell_keys_refuse_misaligned_or_out_of_range_record_keys():
    micro = people(3, 10)
    with pytest.raises(ValueError, match="one record key per record"):
        cell_keys(micro, ["sex"], np.zeros(9))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        cell_keys(micro, ["sex"], np.ones(10))
    with pytest.raises(ValueError, match="do not align"):
        perturb(np.ones(3, dtype=int), np.zeros(4), PTable.build())


MICRODATA = st.lists(
    st.tuples(st.sampled_from("abc"), st.sampled_from(["x", "y"]), st.integers(0, 10**6)),
    min_size=0,
    max_size=40,
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(rows=MICRODATA, seed=st.integers(0, 2**32 - 1), parameters=st.sampled_from(PARAMETERS))
def test_property_cell_keys_are_sums_of_their_records_and_perturbations_meet_the_constraints(rows, seed, parameters):
    micro = pd.DataFrame(rows, columns=["u", "w", "person"])
    micro["person"] = micro["person"].astype(str)
    levels = {"u": ["a", "b", "c"], "w": ["x", "y"]}
    keys = record_keys(micro["person"], KEY_A)
    shape, counts = count_cube(micro, ["u", "w"], levels)
    cells = cell_keys(micro, ["u", "w"], keys, levels)
    units = np.array([int(k * KEY_SCALE) for k in keys], dtype=object)  # Python integers: summed without rounding
    labels = [(TOTAL,) + level for level in shape.levels]
    for index, (cu, cw) in enumerate(shape.coords):
        inside = np.ones(len(micro), dtype=bool)
        if cu:
            inside &= (micro["u"] == labels[0][cu]).to_numpy()
        if cw:
            inside &= (micro["w"] == labels[1][cw]).to_numpy()
        assert inside.sum() == counts[index]
        assert int(cells[index] * KEY_SCALE) == sum(units[inside]) % int(KEY_SCALE)
    # The order of records never matters.
    order = np.random.default_rng(seed).permutation(len(micro))
    shuffled = micro.iloc[order].reset_index(drop=True)
    assert cell_keys(shuffled, ["u", "w"], keys[order], levels).tolist() == cells.tolist()
    table = PTable.build(*parameters)
    d, js = parameters[0], parameters[2]
    published = perturb(counts, cells, table)
    assert (np.abs(published - counts) <= d).all() and (published[counts == 0] == 0).all()
    assert not ((published > 0) & (published < js)).any()


def test_parameters_read_from_a_spec_build_the_matching_ptable():
    parameters = CellKeyParameters.model_validate({"method": "cell_key", "max": 2, "variance": 1.0, "js": 3})
    table = parameters.ptable()
    assert (table.max_perturbation, table.variance, table.js) == (2, 1.0, 3)
    np.testing.assert_array_equal(table.probabilities, PTable.build(2, 1.0, 3).probabilities)
    assert CellKeyParameters.model_validate({"method": "cell_key", "max": 1, "variance": 1}).js == 1


@pytest.mark.parametrize(
    "spec, field",
    [
        ({"method": "cell_key", "max": 2, "variance": 5.0}, "variance"),
        ({"method": "cell_key", "max": 2, "variance": 0}, "variance"),
        ({"method": "cell_key", "max": 2, "variance": 1.0, "js": 4}, "js"),
        ({"method": "cell_key", "max": 0, "variance": 1.0}, "max"),
        ({"method": "cell_key", "max": True, "variance": 1.0}, "max"),
        ({"method": "cell_key", "max": 2.5, "variance": 1.0}, "max"),
        ({"method": "noise", "max": 2, "variance": 1.0}, "method"),
        ({"method": "cell_key", "max": 2, "variance": 1.0, "maximum": 3}, "maximum"),
        ({"max": 2, "variance": 1.0}, "method"),
    ],
)
def test_parameter_errors_name_the_field(spec, field):
    with pytest.raises(ValidationError) as error:
        CellKeyParameters.model_validate(spec)
    assert [e["loc"] for e in error.value.errors()] == [(field,)]
