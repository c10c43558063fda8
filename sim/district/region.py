"""A district's municipalities and offices, read from the CSV files its region config names."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim.config import ConfigError
from sim.config.files import find_file
from sim.config.schema import RegionConfig

EARTH_RADIUS_KM = 6371.0
REQUIRED_COLUMNS = ("ags", "municipality", "lat", "lon", "population", "area_km2")
OFFICE_COLUMNS = ("office", "municipality", "ags", "catchment_ags")


def name_key(name: str) -> str:
    """A municipality's name as a key: ascii, lower case, underscores ('Höchst i. Odw.' -> hoechst_i_odw)."""
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


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


def read_rows(path: Path, key: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV data file that has `columns`, every row as long as the header; one
    sentence naming the key, the file and the line otherwise."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{key} '{path}' is not UTF-8 text (binary content?); it must be a CSV file.") from None
    reader = csv.DictReader(text.splitlines())
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row or None in row.values():
            fields = len(row) - (None in row) + len(row.get(None) or ()) - sum(value is None for value in row.values())
            raise ConfigError(
                f"{key} '{path}' line {line} has {fields} fields, the header {len(reader.fieldnames or ())}."
            )
        rows.append((line, row))
    missing = [column for column in columns if column not in (reader.fieldnames or ())]
    if not rows or missing:
        raise ConfigError(
            f"{key} '{path}' needs the columns {', '.join(columns)} and at least one row;"
            f" missing: {', '.join(missing) or 'rows'}."
        )
    return rows


def number(
    text: str, column: str, where: str, low: float | None = None, high: float | None = None, whole: bool = False
) -> float:
    """A finite number of a data file's cell, within [low, high]; `where` names the file and line."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    allowed = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        allowed += f" between {low:g} and {high:g}"
    elif low is not None:
        allowed += f" of at least {low:g}"
    if (
        not math.isfinite(value)
        or (whole and not value.is_integer())
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        raise ConfigError(f"{where}: {column} must be {allowed}, got '{text.strip()}'.")
    return value


def load_region(config: RegionConfig) -> Region:
    """Read the region's municipalities (and offices) files; a mistake in them is one clear error."""
    key = "region.municipalities_file"
    path = find_file(config.municipalities_file, key, "region")
    rows = read_rows(path, key, REQUIRED_COLUMNS)
    seen: dict[str, int] = {}
    for line, row in rows:
        where = f"{key} '{path}' line {line}"
        for column in ("ags", "municipality"):
            if not row[column].strip():
                raise ConfigError(f"{where}: {column} is empty.")
        code = row["ags"].strip()
        if code in seen:
            raise ConfigError(f"{where}: AGS {code} is listed twice (also line {seen[code]}).")
        seen[code] = line
    values: dict[str, list[float]] = {column: [] for column in ("lat", "lon", "population", "area_km2")}
    for line, row in rows:
        where = f"{key} '{path}' line {line}"
        values["lat"].append(number(row["lat"], "lat", where, -90, 90))
        values["lon"].append(number(row["lon"], "lon", where, -180, 180))
        values["population"].append(number(row["population"], "population", where, 0, whole=True))
        values["area_km2"].append(number(row["area_km2"], "area_km2", where, 1e-6))
    region = Region(
        name=config.name,
        ags=[row["ags"].strip() for _, row in rows],
        names=[row["municipality"].strip() for _, row in rows],
        lat=np.array(values["lat"]),
        lon=np.array(values["lon"]),
        population=np.array(values["population"], dtype=int),
        area_km2=np.array(values["area_km2"]),
    )
    if config.offices_file is None:
        return region
    return replace(region, offices=read_offices(region, config.offices_file))


def read_offices(region: Region, offices_file: str) -> tuple[Office, ...]:
    """The offices of the district with their catchments (AGS codes separated by ';')."""
    key = "region.offices_file"
    path = find_file(offices_file, key, "region")
    offices = []
    for line, row in read_rows(path, key, OFFICE_COLUMNS):
        codes = [code.strip() for code in row["catchment_ags"].split(";") if code.strip()]
        places = [region.index(code) for code in [row["ags"], *codes]]
        if None in places:
            unknown = [code for code, place in zip([row["ags"], *codes], places) if place is None]
            raise ConfigError(f"{key} '{path}' line {line}: AGS {unknown[0]} is not a municipality of the region.")
        offices.append(Office(row["office"].strip(), row.get("name", "").strip(), places[0], tuple(places[1:])))
    return tuple(offices)
