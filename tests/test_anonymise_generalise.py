"""Generalisers: each named level turns a column into a coarser one, keeping missing values missing."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from scripts.build.anonymise.generalise import GENERALISERS, age_in_years, coarsen, to_area, unpadded_band


def texts(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def test_birth_date_to_year_from_text_and_from_datetimes():
    births = pd.Series(["1987-03-09", None, "2001-12-31"])
    assert texts(GENERALISERS["birth_year"](births)) == ["1987", None, "2001"]
    assert texts(GENERALISERS["birth_year"](pd.to_datetime(births))) == ["1987", None, "2001"]


def test_age_is_in_completed_years_at_the_reference_date():
    births = pd.Series(["1994-06-30", "1994-07-01", "2024-06-30"])
    assert age_in_years(births).tolist() == [30, 29, 0]


def test_age_can_be_taken_at_each_row_own_date():
    births = pd.Series(["1950-05-01", "1950-05-01"])
    deaths = pd.Series(["2020-04-30", "2020-05-01"])
    assert age_in_years(births, deaths).tolist() == [69, 70]
    assert texts(GENERALISERS["age_band_5y"](births, deaths)) == ["65-69", "70-74"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("age_band_5y", ["00-04", "05-09", "85-89", "90+", "90+", None]),
        ("age_band_10y", ["00-09", "00-09", "80-89", "90+", "90+", None]),
        # The last band stops where top-coding starts instead of overlapping it.
        ("age_band_20y", ["00-19", "00-19", "80-89", "90+", "90+", None]),
    ],
)
def test_age_bands_are_top_coded_at_ninety(name, expected):
    births = pd.Series(["2024-01-01", "2019-06-30", "1934-07-01", "1934-06-30", "1901-01-01", None])
    assert texts(GENERALISERS[name](births)) == expected


def test_age_bands_sort_as_text_in_the_order_of_ages():
    births = pd.Series([f"{2024 - age}-01-01" for age in range(0, 100, 3)])
    bands = list(dict.fromkeys(texts(GENERALISERS["age_band_5y"](births))))
    assert sorted(bands) == bands and bands[:3] == ["00-04", "05-09", "10-14"] and bands[-1] == "90+"
    assert coarsen("05-09", "age_band_5y", "age_band_10y") == "00-09"
    assert coarsen("45-49", "age_band_5y", "age_band_20y") == "40-59"


def test_bands_written_before_zero_padding_are_recognised():
    assert unpadded_band("5-9") == "05-09" and unpadded_band("0-19") == "00-19"
    assert unpadded_band("45-49") == "45-49"
    assert unpadded_band("2024-01") is None and unpadded_band("90+") is None and unpadded_band("Tổng") is None


def test_a_birth_after_the_reference_date_is_an_error_not_a_band():
    with pytest.raises(ValueError, match="birth dates after"):
        GENERALISERS["age_band_5y"](pd.Series(["2030-01-01"]))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("month", ["2024-03", "2023-12", None]),
        ("quarter", ["2024-Q1", "2023-Q4", None]),
        ("year", ["2024", "2023", None]),
    ],
)
def test_event_dates_to_month_quarter_and_year(name, expected):
    dates = pd.Series(["2024-03-31", "2023-12-01", None])
    assert texts(GENERALISERS[name](dates)) == expected


def test_text_that_is_not_an_iso_date_becomes_missing():
    assert texts(GENERALISERS["month"](pd.Series(["31/03/2024", "2024-02-30", "2024-02-29"]))) == [
        None,
        None,
        "2024-02",
    ]


def test_identity_and_whole_province_are_the_ends_of_an_area_hierarchy():
    codes = pd.Series(["00001", None, "00004"])
    assert texts(GENERALISERS["identity"](codes)) == ["00001", None, "00004"]
    assert texts(GENERALISERS["whole_province"](codes)) == ["Toàn tỉnh", None, "Toàn tỉnh"]


def test_communes_to_larger_areas_through_a_mapping():
    mapping = {"00001": "Huyện A", "00004": "Huyện B"}
    to_district = functools.partial(to_area, mapping=mapping)
    assert texts(to_district(pd.Series(["00001", None, "00004"]))) == ["Huyện A", None, "Huyện B"]
    with pytest.raises(ValueError, match="00009"):
        to_district(pd.Series(["00001", "00009"]))


def test_every_generaliser_keeps_the_index_and_returns_text():
    values = pd.Series(["2024-03-31", "2023-12-01"], index=[7, 3])
    for name, generalise in GENERALISERS.items():
        out = generalise(values)
        assert out.index.tolist() == [7, 3], name
        assert out.dtype == "string", name


def test_cells_a_release_hid_under_unpadded_bands_stay_hidden():
    from scripts.build.anonymise.aggregate import previously_hidden
    from scripts.build.anonymise.cube import TOTAL, CubeShape

    shape = CubeShape(dims=("sex", "age_band"), levels=(("Nam", "Nữ"), ("00-04", "05-09", "10-14")))
    previous = pd.DataFrame(
        {
            "sex": ["Nam", "Nữ", TOTAL],
            "age_band": ["5-9", "10-14", "0-4"],
            "count": [None, None, "7"],
            "suppression": ["suppressed", "suppressed", None],
        }
    )
    hidden = previously_hidden(shape, previous)
    codes = {tuple(shape.coords[i]) for i in range(shape.n_cells) if hidden[i]}
    assert codes == {(1, 2), (2, 3)}  # Nam 05-09 and Nữ 10-14, whatever the release wrote
