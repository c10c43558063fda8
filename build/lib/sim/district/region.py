"""A district's municipalities and offices, read from the CSV files its region config names."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim.config import ConfigError
from sim.config.files import find_file
from sim.config.schema import RegionConfig

EARTH_RADIUS_KM = 6371.0
REQUIRED_COLUMNS = ("ags", "municipality", "lat", "lon", "population", "area_km2")
OFFICE_COLUMNS = ("office", "municipality", "ags", "catchment_ags")


@dataclass(frozen=True)
class Office:
    """A Jobcenter office of the district's data: where it is and the municipalities it serves."""

    key: str
    name: str
    municipality: int
    catchment: tuple[int, ...]  # municipalities it serves; empty where the data does not say


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
    offices: tuple[Office, ...] = ()

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


def read_rows(path: Path, key: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV data file that has `columns`; one sentence naming the key otherwise."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = [column for column in columns if rows and column not in rows[0]]
    if not rows or missing:
        raise ConfigError(
            f"{key} '{path}' needs the columns {', '.join(columns)} and at least one row;"
            f" missing: {', '.join(missing) or 'rows'}."
        )
    return rows


def load_region(config: RegionConfig) -> Region:
    """Read the region's municipalities (and offices) files; a missing file or column is one clear error."""
    path = find_file(config.municipalities_file, "region.municipalities_file", "region")
    rows = read_rows(path, "region.municipalities_file", REQUIRED_COLUMNS)
    try:
        region = Region(
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
    if config.offices_file is None:
        return region
    return replace(region, offices=read_offices(region, config.offices_file))


def read_offices(region: Region, offices_file: str) -> tuple[Office, ...]:
    """The offices of the district with their catchments (AGS codes separated by ';')."""
    key = "region.offices_file"
    path = find_file(offices_file, key, "region")
    offices = []
    for line, row in enumerate(read_rows(path, key, OFFICE_COLUMNS), start=2):
        codes = [code.strip() for code in row["catchment_ags"].split(";") if code.strip()]
        places = [region.index(code) for code in [row["ags"], *codes]]
        if None in places:
            unknown = [code for code, place in zip([row["ags"], *codes], places) if place is None]
            raise ConfigError(f"{key} '{path}' line {line}: AGS {unknown[0]} is not a municipality of the region.")
        offices.append(Office(row["office"].strip(), row.get("name", "").strip(), places[0], tuple(places[1:])))
    return tuple(offices)
