"""Municipalities of a region and travel between them: straight line x detour / speed, or a matrix."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config import CONFIG_DIR, ConfigError
from sim.config.schema import RegionConfig, TravelConfig

EARTH_RADIUS_KM = 6371.0
REQUIRED_COLUMNS = ("ags", "municipality", "lat", "lon", "population", "area_km2")


@dataclass(frozen=True)
class Region:
    """The municipalities of a district, as parallel arrays indexed by municipality."""

    name: str
    ags: list[str]
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    area_km2: np.ndarray

    def index(self, name_or_ags: str) -> int | None:
        """Position of a municipality given by name or AGS code, None if the region lacks it."""
        key = str(name_or_ags).strip().lower()
        for i, (code, name) in enumerate(zip(self.ags, self.names)):
            if key in (code, name.lower()):
                return i
        return None

    def distance_km(self) -> np.ndarray:
        """Straight-line distances between municipality centres; the diagonal holds the mean
        distance within the municipality (2/3 of the radius of a disc of its area)."""
        lat, lon = np.radians(self.lat), np.radians(self.lon)
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
        np.fill_diagonal(dist, 2.0 / 3.0 * np.sqrt(self.area_km2 / math.pi))
        return dist


def resolve_path(path: str, base: Path) -> Path:
    """A path as given if absolute or existing from the working directory, else under base."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return base / candidate


def load_region(config: RegionConfig) -> Region:
    """Read the region's municipalities file; a missing file or column is one clear error."""
    path = resolve_path(config.municipalities_file, CONFIG_DIR / "region")
    if not path.is_file():
        raise ConfigError(f"region.municipalities_file: file '{path}' not found.")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in REQUIRED_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise ConfigError(
            f"region.municipalities_file '{path}' needs the columns {', '.join(REQUIRED_COLUMNS)}"
            f" and at least one row; missing: {', '.join(missing) or 'rows'}."
        )
    try:
        return Region(
            name=config.name,
            ags=[row["ags"].strip() for row in rows],
            names=[row["municipality"].strip() for row in rows],
            lat=np.array([float(row["lat"]) for row in rows]),
            lon=np.array([float(row["lon"]) for row in rows]),
            population=np.array([int(row["population"]) for row in rows]),
            area_km2=np.array([float(row["area_km2"]) for row in rows]),
        )
    except ValueError as error:
        raise ConfigError(f"region.municipalities_file '{path}' has a bad number: {error}.") from None


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
    return TravelTimes(car, pt, road_km)


def read_matrix(region: Region, matrix_file: str | None, road_km: np.ndarray) -> TravelTimes:
    """Read from_ags,to_ags,car_min,pt_min[,km]; pairs it does not list keep nothing: an error."""
    if not matrix_file:
        raise ConfigError("travel.matrix_file must name a CSV file when travel.mode is 'matrix'.")
    path = resolve_path(matrix_file, CONFIG_DIR)
    if not path.is_file():
        raise ConfigError(f"travel.matrix_file: file '{matrix_file}' not found.")
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
