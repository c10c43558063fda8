"""The data file readers, property-based (Hypothesis): whatever a file holds, a region or one sentence.

A municipalities file or travel matrix with any content (text, short or long rows, numbers out of
range, NaN, binary) is either read or refused with a ConfigError naming the key, the file and,
for a bad row, its line; never another exception. A well-formed file is read to the same values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import ConfigError
from sim.config.schema import RegionConfig
from sim.district.region import REQUIRED_COLUMNS, load_region
from sim.district.travel import read_matrix

HEADER = ",".join(REQUIRED_COLUMNS)
CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=",\n\r\"'"), max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
)
ROW = st.lists(CELL, min_size=0, max_size=8).map(",".join)
FILE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def region_config(path) -> RegionConfig:
    return RegionConfig(name="test", label="Test", state="TH", municipalities_file=str(path))


@FILE
@given(rows=st.lists(ROW, max_size=6))
def test_any_municipalities_file_is_read_or_refused_in_one_sentence(rows, tmp_path_factory):
    path = tmp_path_factory.mktemp("region") / "municipalities.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    try:
        region = load_region(region_config(path))
    except ConfigError as error:
        message = str(error)
        assert "region.municipalities_file" in message and str(path) in message and "\n" not in message
        return
    assert len(region.ags) == len(set(region.ags)) >= 1
    assert np.isfinite(region.lat).all() and (np.abs(region.lat) <= 90).all() and (region.population >= 0).all()
    assert (region.area_km2 > 0).all()


@FILE
@given(content=st.binary(max_size=300))
def test_binary_content_is_refused_in_one_sentence(content, tmp_path_factory):
    path = tmp_path_factory.mktemp("region") / "municipalities.csv"
    path.write_bytes(content)
    try:
        load_region(region_config(path))
    except ConfigError as error:
        assert "region.municipalities_file" in str(error)


MUNICIPALITY = st.tuples(
    st.floats(-90, 90, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
    st.integers(0, 10**7),
    st.floats(0.01, 5000, allow_nan=False),
)


@FILE
@given(places=st.lists(MUNICIPALITY, min_size=1, max_size=6))
def test_a_well_formed_file_is_read_to_its_values(places, tmp_path_factory):
    path = tmp_path_factory.mktemp("region") / "municipalities.csv"
    lines = [HEADER] + [
        f"{1000 + i},Place {i},{lat!r},{lon!r},{people},{area!r}" for i, (lat, lon, people, area) in enumerate(places)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    region = load_region(region_config(path))
    assert region.ags == [str(1000 + i) for i in range(len(places))]
    assert region.lat.tolist() == [lat for lat, *_ in places]
    assert region.population.tolist() == [people for _, _, people, _ in places]


def small_region(tmp_path):
    path = tmp_path / "municipalities.csv"
    path.write_text(f"{HEADER}\n1,A,50.0,10.0,100,10\n2,B,50.1,10.1,200,20\n", encoding="utf-8")
    return load_region(region_config(path))


@FILE
@given(rows=st.lists(ROW, max_size=8))
def test_any_travel_matrix_is_read_or_refused_in_one_sentence(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    region = small_region(folder)
    path = folder / "matrix.csv"
    path.write_text("\n".join(["from_ags,to_ags,car_min,pt_min,km", *rows]) + "\n", encoding="utf-8")
    try:
        times = read_matrix(region, str(path), region.distance_km())
    except ConfigError as error:
        assert "travel.matrix_file" in str(error) and "\n" not in str(error)
        return
    assert np.isfinite(times.car_min).all() and (times.car_min >= 0).all()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["1,A,50.0,10.0,100"], "line 2 has 5 fields, the header 6"),
        (["1,A,50.0,10.0,100,10,extra"], "line 2 has 7 fields, the header 6"),
        (["1,A,95.0,10.0,100,10"], "lat must be a number between -90 and 90, got '95.0'"),
        (["1,A,50.0,10.0,-5,10"], "population must be a whole number of at least 0, got '-5'"),
        (["1,A,nan,10.0,100,10"], "lat must be a number between -90 and 90, got 'nan'"),
        (["1,A,50.0,10.0,100,10", "1,B,50.1,10.1,100,10"], "line 3: AGS 1 is listed twice (also line 2)"),
    ],
)
def test_each_kind_of_bad_row_names_its_line(rows, expected, tmp_path):
    path = tmp_path / "municipalities.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_region(region_config(path))


def test_a_matrix_pair_listed_twice_with_different_times_is_refused(tmp_path):
    region = small_region(tmp_path)
    path = tmp_path / "matrix.csv"
    pairs = [f"{a},{b},5,9" for a in "12" for b in "12"]
    path.write_text("\n".join(["from_ags,to_ags,car_min,pt_min", *pairs, "1,2,6,9"]) + "\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"line 6: the pair 1 -> 2 is listed twice with different values \(also line 3\)"
    ):
        read_matrix(region, str(path), region.distance_km())
    path.write_text("\n".join(["from_ags,to_ags,car_min,pt_min", *pairs, "1,2,-1,9"]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="car_min must be a number of at least 0, got '-1'"):
        read_matrix(region, str(path), region.distance_km())
    assert math.isfinite(region.distance_km().sum())
