"""Travel between municipalities: straight line x detour / speed, a travel-time matrix, or none."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from sim.config import ConfigError
from sim.config.files import find_file
from sim.config.schema import TravelConfig
from sim.district.region import Region


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


def read_matrix(region: Region, matrix_file: str | None, road_km: np.ndarray) -> TravelTimes:
    """Read from_ags,to_ags,car_min,pt_min[,km]; pairs it does not list keep nothing: an error."""
    if not matrix_file:
        raise ConfigError("travel.matrix_file must name a CSV file when travel.mode is 'matrix'.")
    path = find_file(matrix_file, "travel.matrix_file")
    n = len(region.names)
    car, pt, km = np.full((n, n), np.nan), np.full((n, n), np.nan), road_km.copy()
    position = {code: i for i, code in enumerate(region.ags)}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                i, j = position[row["from_ags"].strip()], position[row["to_ags"].strip()]
                car[i, j], pt[i, j] = float(row["car_min"]), float(row["pt_min"])
                if row.get("km"):
                    km[i, j] = float(row["km"])
            except (KeyError, ValueError, AttributeError):
                raise ConfigError(
                    f"travel.matrix_file '{matrix_file}' line {line}: needs from_ags,to_ags of the"
                    " region and numeric car_min,pt_min."
                ) from None
    if np.isnan(car).any():
        i, j = np.argwhere(np.isnan(car))[0]
        raise ConfigError(
            f"travel.matrix_file '{matrix_file}' lacks the pair {region.ags[i]} -> {region.ags[j]};"
            " it must list every pair of municipalities, both directions and each to itself."
        )
    return TravelTimes(car, pt, km)
