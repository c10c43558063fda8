"""Travel between municipalities: straight line x detour / speed, a travel-time matrix, or none."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import ConfigError
from sim.config.files import find_file
from sim.config.schema import TravelConfig
from sim.district.region import Region, number, read_rows


@dataclass(frozen=True)
class TravelTimes:
    """One-way travel between municipalities: minutes by car and by public transport, and km."""

    car_min: np.ndarray
    pt_min: np.ndarray
    road_km: np.ndarray


def travel_times(region: Region, travel: TravelConfig) -> TravelTimes:
    """Travel times for the chosen mode: the straight-line model, a matrix file, or zero."""
    n = len(region.names)
    if travel.mode == "zero":
        zero = np.zeros((n, n))
        return TravelTimes(zero, zero.copy(), zero.copy())
    road_km = region.distance_km() * travel.detour_factor
    if travel.mode == "matrix":
        return read_matrix(region, travel.matrix_file, road_km)
    car = road_km / travel.car_speed_kmh * 60.0
    pt = road_km / travel.pt_speed_kmh * 60.0 + travel.pt_headway_min / 2.0
    # a trip within the own municipality waits for no bus: it is walked, or planned around the
    # local timetable (assumption); between municipalities a client waits half a headway
    np.fill_diagonal(pt, np.diag(road_km) / travel.pt_speed_kmh * 60.0)
    return TravelTimes(car, pt, road_km)


MATRIX_COLUMNS = ("from_ags", "to_ags", "car_min", "pt_min")


def read_matrix(region: Region, matrix_file: str | None, road_km: np.ndarray) -> TravelTimes:
    """Read from_ags,to_ags,car_min,pt_min[,km]; pairs it does not list keep nothing: an error."""
    if not matrix_file:
        raise ConfigError("travel.matrix_file must name a CSV file when travel.mode is 'matrix'.")
    path = find_file(matrix_file, "travel.matrix_file")
    n = len(region.names)
    car, pt, km = np.full((n, n), np.nan), np.full((n, n), np.nan), road_km.copy()
    position = {code: i for i, code in enumerate(region.ags)}
    key = "travel.matrix_file"
    first_line: dict[tuple[int, int], int] = {}
    for line, row in read_rows(path, key, MATRIX_COLUMNS):
        where = f"{key} '{matrix_file}' line {line}"
        places = [position.get(row[column].strip()) for column in ("from_ags", "to_ags")]
        if None in places:
            unknown = row["from_ags"] if places[0] is None else row["to_ags"]
            raise ConfigError(f"{where}: AGS {unknown.strip()} is not a municipality of the region.")
        i, j = places
        times = (number(row["car_min"], "car_min", where, 0), number(row["pt_min"], "pt_min", where, 0))
        distance = number(row["km"], "km", where, 0) if row.get("km", "").strip() else km[i, j]
        if (i, j) in first_line:
            if (car[i, j], pt[i, j], km[i, j]) != (*times, distance):
                raise ConfigError(
                    f"{where}: the pair {region.ags[i]} -> {region.ags[j]} is listed twice with different values"
                    f" (also line {first_line[i, j]})."
                )
            continue
        first_line[i, j] = line
        (car[i, j], pt[i, j]), km[i, j] = times, distance
    if np.isnan(car).any():
        i, j = np.argwhere(np.isnan(car))[0]
        raise ConfigError(
            f"travel.matrix_file '{matrix_file}' lacks the pair {region.ags[i]} -> {region.ags[j]};"
            " it must list every pair of municipalities, both directions and each to itself."
        )
    return TravelTimes(car, pt, km)
