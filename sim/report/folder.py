"""The results folder: read the files docs/outputs.md specifies, and write new files atomically."""

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95 % confidence interval and the number of values."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    significant: bool = False  # a difference: distinguishable from zero (Holm over the comparison's KPIs)

    @property
    def has_interval(self) -> bool:
        """False when there is no interval, as with fewer than two replications."""
        return math.isfinite(self.ci_low) and math.isfinite(self.ci_high)

    @property
    def distinguishable_from_zero(self) -> bool:
        """True when the paired test, corrected for the number of KPIs compared (Holm), rejects zero."""
        return self.significant


@dataclass
class Place:
    """A municipality or a site of one scenario: where it is and its KPIs."""

    name: str
    lat: float
    lon: float
    kind: str = ""
    municipality: str = ""
    kpis: dict[str, Estimate] = field(default_factory=dict)


@dataclass
class Results:
    """Everything the report shows, read from one results folder."""

    folder: Path
    scenarios: list[str]
    runs: dict[str, dict]
    kpis: dict[str, dict[str, Estimate]]
    baseline: str
    differences: dict[str, dict[str, Estimate]]
    municipalities: dict[str, dict[str, Place]]
    sites: dict[str, dict[str, Place]]
    counsellors: dict[str, dict[str, dict[str, Estimate]]]
    wait_days: dict[str, list[tuple[int, int]]]
    descriptions: dict[str, dict]
    assumptions: dict[str, list[dict]]
    provenance: dict
    # scenario -> KPI -> replication -> value (replications.csv); empty for a folder without it
    replications: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    tours: list[dict[str, str]] = field(default_factory=list)  # tours.csv rows; empty without vehicles

    def label(self, scenario: str, lang: str) -> str:
        """Return the scenario's label in `lang`, or its name when scenarios.json has none."""
        labels = self.descriptions.get(scenario, {}).get("label") or {}
        return labels.get(lang) or scenario

    @property
    def alternatives(self) -> list[str]:
        """The scenarios compared with the baseline, in the order given."""
        return [name for name in self.scenarios if name != self.baseline]


def load_results(folder: Path) -> Results:
    """Read a comparison's results folder; a missing or malformed file raises one clear error."""
    kpi_file = read_json(folder / "kpis.json")
    comparison = read_json(folder / "comparison.json")
    scenarios = list(kpi_file["scenarios"])
    return Results(
        folder=folder,
        scenarios=scenarios,
        runs={name: entry for name, entry in kpi_file["scenarios"].items()},
        kpis={
            name: {kpi: estimate(values) for kpi, values in entry["kpis"].items()}
            for name, entry in kpi_file["scenarios"].items()
        },
        baseline=comparison["baseline"],
        differences={
            name: {kpi: estimate(values) for kpi, values in kpis.items()}
            for name, kpis in comparison["differences"].items()
        },
        municipalities=read_places(folder / "municipalities.csv", key="ags", name="municipality"),
        sites=read_places(folder / "sites.csv", key="site", name="site"),
        counsellors=read_counsellors(folder / "counsellors.csv"),
        wait_days=read_wait_days(folder / "wait_days.csv"),
        descriptions=read_json(folder / "scenarios.json"),
        assumptions=read_json(folder / "assumptions.json"),
        provenance=read_json(folder / "provenance.json"),
        replications=read_replications(folder / "replications.csv"),
        tours=read_rows(folder / "tours.csv") if (folder / "tours.csv").exists() else [],
    )


def estimate(values: dict) -> Estimate:
    """Build an Estimate from a JSON or CSV record; a missing value becomes NaN."""
    return Estimate(
        mean=number(values["mean"]),
        ci_low=number(values["ci_low"]),
        ci_high=number(values["ci_high"]),
        n=int(float(values["n"] or 0)),
        significant=bool(values.get("significant", False)),
    )


def number(value: object) -> float:
    """Return a float; None and empty CSV cells are NaN."""
    if value is None or value == "":
        return math.nan
    return float(value)


def read_json(path: Path) -> dict:
    """Read a JSON file of the results folder."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is missing; the report needs a comparison's results folder as docs/outputs.md describes it."
        ) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}).") from None


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file of the results folder as a list of rows."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            return list(csv.DictReader(file))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} is missing; the report needs a comparison's results folder as docs/outputs.md describes it."
        ) from None


def read_places(path: Path, key: str, name: str) -> dict[str, dict[str, Place]]:
    """Read municipalities.csv or sites.csv (long format) into scenario → place → KPIs."""
    places: dict[str, dict[str, Place]] = {}
    for row in read_rows(path):
        place = places.setdefault(row["scenario"], {}).setdefault(
            row[key],
            Place(
                name=row[name],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                kind=row.get("kind", ""),
                municipality=row.get("municipality", ""),
            ),
        )
        place.kpis[row["kpi"]] = estimate(row)
    return places


def read_counsellors(path: Path) -> dict[str, dict[str, dict[str, Estimate]]]:
    """Read counsellors.csv into scenario → office → KPI → estimate."""
    counsellors: dict[str, dict[str, dict[str, Estimate]]] = {}
    for row in read_rows(path):
        office = counsellors.setdefault(row["scenario"], {}).setdefault(row["office"], {})
        office[row["kpi"]] = estimate(row)
    return counsellors


def read_wait_days(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Read wait_days.csv into scenario → sorted (days, count) pairs."""
    histograms: dict[str, list[tuple[int, int]]] = {}
    for row in read_rows(path):
        histograms.setdefault(row["scenario"], []).append((int(row["days"]), int(row["count"])))
    return {scenario: sorted(pairs) for scenario, pairs in histograms.items()}


def read_replications(path: Path) -> dict[str, dict[str, dict[int, float]]]:
    """Read replications.csv into scenario → KPI → replication → value (empty without the file)."""
    if not path.exists():
        return {}
    values: dict[str, dict[str, dict[int, float]]] = {}
    for row in read_rows(path):
        by_kpi = values.setdefault(row["scenario"], {}).setdefault(row["kpi"], {})
        by_kpi[int(row["replication"])] = number(row["value"])
    return values
