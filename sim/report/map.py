"""The district map: municipalities by clients and a KPI, the sites by kind, the vehicles' day routes
(tours.csv, where there is one), a scale bar in km.

Coordinates are projected to kilometres around the district's centre (local equirectangular):
over a district some 60 km wide this keeps distances true to well under one per cent, and the
axes can use an equal aspect so the scale bar holds in every direction.
"""

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Bbox

from sim.district.region import EARTH_RADIUS_KM
from sim.kpi.registry import unit_of
from sim.report.folder import Results
from sim.report.kpis import in_display_unit
from sim.report.text import capitalise, format_number, kpi_label, phrase, site_kind_label, unit_label, vehicle_name

SITE_MARKERS = {"office": "s", "room": "^", "vehicle_stop": "D"}
# Okabe-Ito colours that stand out against the viridis circles, one per vehicle
TOUR_COLOURS = ("#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#0072B2", "#009E73")
TOUR_LINE_WIDTH = 0.9
SCALE_BAR_LENGTHS_KM = (1, 2, 5, 10, 20, 50, 100, 200)
SMALLEST_CIRCLE, LARGEST_CIRCLE = 12.0, 520.0
COLOUR_MAP = "viridis"
MAPS_PER_ROW = 2
NAME_HALO = [withStroke(linewidth=2.5, foreground="white")]
SITE_MARKER_SIZE = 48
ADDED_RING_SIZE = 420
NAME_GAP_PIXELS = 2
ADDED_RING_OFFSET = 2  # names of added sites sit outside their ring
# Where a name may go around its site, in points, tried in this order.
NAME_POSITIONS = (
    (6, 3, "left", "bottom"),
    (-6, 3, "right", "bottom"),
    (6, -3, "left", "top"),
    (-6, -3, "right", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
    (0, 8, "center", "bottom"),
    (0, -8, "center", "top"),
)


def project(lat: float, lon: float, origin: tuple[float, float]) -> tuple[float, float]:
    """Return (east, north) in km from `origin` (lat, lon) by a local equirectangular projection."""
    origin_lat, origin_lon = origin
    east = EARTH_RADIUS_KM * math.radians(lon - origin_lon) * math.cos(math.radians(origin_lat))
    north = EARTH_RADIUS_KM * math.radians(lat - origin_lat)
    return east, north


def scenario_sites(results: Results, scenario: str) -> list[dict]:
    """Return the sites scenarios.json gives for a scenario."""
    return results.descriptions.get(scenario, {}).get("sites") or []


@dataclass(frozen=True)
class Tour:
    """A vehicle's distinct day routes in one scenario, each from its depot through its stops and back."""

    vehicle: str
    kind: str
    routes: tuple[tuple[tuple[float, float], ...], ...]  # (lat, lon) points, depot first and last


def vehicle_depot(results: Results, scenario: str, vehicle: str, first_stop: tuple[float, float]) -> tuple | None:
    """Where a vehicle's days start and end: its depot office as the assumptions give it (the
    `vehicles.<key>` entry), else the office nearest its first stop; None without an office."""
    offices = [site for site in scenario_sites(results, scenario) if site.get("kind") == "office"]
    for entry in results.assumptions.get(scenario, []):
        value = entry.get("value")
        if entry.get("key") == f"vehicles.{vehicle}" and isinstance(value, dict):
            named = [site for site in offices if site.get("name") == value.get("depot")]
            if named:
                return named[0]["lat"], named[0]["lon"]
    if not offices:
        return None
    nearest = min(offices, key=lambda site: (site["lat"] - first_stop[0]) ** 2 + (site["lon"] - first_stop[1]) ** 2)
    return nearest["lat"], nearest["lon"]


def scenario_tours(results: Results, scenario: str) -> list[Tour]:
    """Each vehicle's distinct day routes (tours.csv) in the scenario, in order of first appearance."""
    days: dict[tuple[str, str], list[dict]] = {}
    kinds: dict[str, str] = {}
    for row in results.tours:
        if row["scenario"] == scenario:
            days.setdefault((row["vehicle"], row["date"]), []).append(row)
            kinds.setdefault(row["vehicle"], row.get("kind", ""))
    routes: dict[str, dict[tuple, None]] = {}
    for (vehicle, _), rows in days.items():
        stops = tuple((float(row["lat"]), float(row["lon"])) for row in sorted(rows, key=lambda row: int(row["order"])))
        depot = vehicle_depot(results, scenario, vehicle, stops[0])
        route = (depot, *stops, depot) if depot else stops
        routes.setdefault(vehicle, {})[route] = None
    return [Tour(vehicle, kinds[vehicle], tuple(found)) for vehicle, found in routes.items()]


def tour_colours(results: Results) -> dict[tuple[str, str], str]:
    """One colour per vehicle (its key and kind) over all scenarios."""
    vehicles = dict.fromkeys((row["vehicle"], row.get("kind", "")) for row in results.tours)
    return {vehicle: TOUR_COLOURS[index % len(TOUR_COLOURS)] for index, vehicle in enumerate(vehicles)}


def draw_tours(axes, results: Results, scenario: str, origin: tuple[float, float]) -> None:
    """Draw each vehicle's distinct day routes as thin lines in its colour, under the site markers."""
    colours = tour_colours(results)
    for tour in scenario_tours(results, scenario):
        for route in tour.routes:
            points = [project(lat, lon, origin) for lat, lon in route]
            axes.plot(
                [x for x, _ in points],
                [y for _, y in points],
                color=colours[(tour.vehicle, tour.kind)],
                linewidth=TOUR_LINE_WIDTH,
                alpha=0.85,
                solid_capstyle="round",
                zorder=3,
            )


def circle_size(clients: float, most_clients: float) -> float:
    """Return a marker area (points²) proportional to the number of clients."""
    if not math.isfinite(clients) or most_clients <= 0:
        return SMALLEST_CIRCLE
    return SMALLEST_CIRCLE + (LARGEST_CIRCLE - SMALLEST_CIRCLE) * clients / most_clients


def round_clients(value: float) -> int:
    """Round a client count to one or two significant digits for the size legend."""
    magnitude = 10 ** max(0, int(math.log10(value)) - 1) if value >= 1 else 1
    return max(1, int(round(value / magnitude) * magnitude))


def scale_bar_length(width_km: float) -> int:
    """Return the longest round length that fits in a quarter of the map width."""
    fitting = [length for length in SCALE_BAR_LENGTHS_KM if length <= width_km / 4]
    return fitting[-1] if fitting else SCALE_BAR_LENGTHS_KM[0]


def draw_scale_bar(axes, extent: tuple[float, float, float, float], lang: str) -> list:
    """Draw a black-and-white scale bar in km at the lower left of the map; return its parts."""
    west, east, south, north = extent
    length = scale_bar_length(east - west)
    x0, y0 = west + 0.05 * (east - west), south + 0.05 * (north - south)
    tick = 0.012 * (north - south)
    return [
        axes.fill_between([x0, x0 + length / 2], y0, y0 + tick, color="black", zorder=5),
        axes.fill_between(
            [x0 + length / 2, x0 + length],
            y0,
            y0 + tick,
            facecolor="white",
            edgecolor="black",
            zorder=5,
        ),
        axes.text(
            x0 + length / 2,
            y0 + 2 * tick,
            f"{format_number(length, lang, 0)} km",
            ha="center",
            va="bottom",
            fontsize=8,
            path_effects=NAME_HALO,
            zorder=5,
        ),
    ]


@dataclass(frozen=True)
class MapScale:
    """What all maps of a figure share: projection origin, extent in km, colour and circle scales."""

    origin: tuple[float, float]
    extent: tuple[float, float, float, float]
    colours: Normalize
    most_clients: float


def shared_scale(results: Results, map_kpi: str) -> MapScale:
    """Return the scale that fits every municipality and site of every scenario."""
    unit = unit_of(map_kpi)
    municipalities = [
        place for scenario in results.scenarios for place in results.municipalities.get(scenario, {}).values()
    ]
    sites = [site for scenario in results.scenarios for site in scenario_sites(results, scenario)]
    lats = [place.lat for place in municipalities] + [site["lat"] for site in sites]
    lons = [place.lon for place in municipalities] + [site["lon"] for site in sites]
    origin = (float(np.mean(lats)), float(np.mean(lons)))
    points = [project(lat, lon, origin) for lat, lon in zip(lats, lons, strict=True)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    margin = 0.08 * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    colour_values = [
        in_display_unit(place.kpis[map_kpi].mean, unit)
        for place in municipalities
        if map_kpi in place.kpis and math.isfinite(place.kpis[map_kpi].mean)
    ]
    low, high = (min(colour_values), max(colour_values)) if colour_values else (0.0, 1.0)
    client_counts = [place.kpis["clients"].mean for place in municipalities if "clients" in place.kpis]
    return MapScale(
        origin=origin,
        extent=(min(xs) - margin, max(xs) + margin, min(ys) - margin, max(ys) + margin),
        colours=Normalize(low, high if high > low else low + 1),
        most_clients=max([count for count in client_counts if math.isfinite(count)], default=0.0),
    )


def draw_maps(results: Results, lang: str, map_kpi: str) -> Figure:
    """Draw one map per scenario, all on the same extent and the same colour scale."""
    scale = shared_scale(results, map_kpi)
    west, east, south, north = scale.extent
    columns = min(MAPS_PER_ROW, len(results.scenarios))
    rows = math.ceil(len(results.scenarios) / columns)
    aspect = (north - south) / (east - west)
    figure = Figure(figsize=(5.6 * columns + 1.2, 5.6 * aspect * rows + 0.9), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    panels = list(zip(grid.flat, results.scenarios, strict=False))
    scale_bars = [draw_map(axes, results, scenario, map_kpi, scale, lang) for axes, scenario in panels]
    for axes in list(grid.flat)[len(results.scenarios) :]:
        axes.set_visible(False)
    unit = unit_of(map_kpi)
    figure.colorbar(
        ScalarMappable(norm=scale.colours, cmap=colormaps[COLOUR_MAP]),
        ax=grid.ravel().tolist(),
        label=capitalise(kpi_label(map_kpi, lang)) + f" ({unit_label(unit, lang)})",
        shrink=0.7,
    )
    figure.legend(
        handles=legend_handles(results, lang, scale.most_clients),
        loc="outside lower center",
        ncols=4,
        frameon=False,
    )
    # Names go last, where the finished layout shows which places are free.
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw_without_rendering()
    for (axes, scenario), scale_bar in zip(panels, scale_bars, strict=True):
        taken = [part.get_window_extent(renderer) for part in scale_bar]
        name_sites(axes, results, scenario, scale.origin, renderer, taken)
    return figure


def draw_map(axes, results: Results, scenario: str, map_kpi: str, scale: MapScale, lang: str) -> list:
    """Draw one scenario's municipalities, sites and scale bar; return the scale bar's parts."""
    unit = unit_of(map_kpi)
    colours = colormaps[COLOUR_MAP]
    for place in results.municipalities.get(scenario, {}).values():
        x, y = project(place.lat, place.lon, scale.origin)
        value = place.kpis.get(map_kpi)
        shown = in_display_unit(value.mean, unit) if value else math.nan
        clients = place.kpis["clients"].mean if "clients" in place.kpis else math.nan
        axes.scatter(
            x,
            y,
            s=circle_size(clients, scale.most_clients),
            color=colours(scale.colours(shown)) if math.isfinite(shown) else "white",
            edgecolor="0.3",
            linewidth=0.6,
            zorder=2,
        )
    draw_tours(axes, results, scenario, scale.origin)
    for site in scenario_sites(results, scenario):
        x, y = project(site["lat"], site["lon"], scale.origin)
        marker = SITE_MARKERS.get(site["kind"], "X")
        if is_added(results, scenario, site):
            axes.scatter(
                x, y, s=ADDED_RING_SIZE, facecolor="none", edgecolor="black", linewidth=1.8, linestyle="--", zorder=3
            )
        # A white outline under a hollow black marker: the site shows on any circle colour
        # and the circle's colour still shows through it.
        axes.scatter(
            x, y, marker=marker, s=SITE_MARKER_SIZE, facecolor="none", edgecolor="white", linewidth=3.5, zorder=4
        )
        axes.scatter(
            x, y, marker=marker, s=SITE_MARKER_SIZE, facecolor="none", edgecolor="black", linewidth=1.3, zorder=4
        )
    axes.set_xlim(scale.extent[0], scale.extent[1])
    axes.set_ylim(scale.extent[2], scale.extent[3])
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(True)
    axes.set_title(results.label(scenario, lang), loc="left", fontweight="bold")
    return draw_scale_bar(axes, scale.extent, lang)


def is_added(results: Results, scenario: str, site: dict) -> bool:
    """True when the site is in the scenario but not in the baseline."""
    baseline_sites = {baseline_site["name"] for baseline_site in scenario_sites(results, results.baseline)}
    return scenario != results.baseline and site["name"] not in baseline_sites


def name_sites(axes, results: Results, scenario: str, origin: tuple[float, float], renderer, taken: list) -> None:
    """Write each site's name beside it, where it covers no site, no name and nothing in `taken`."""
    sites = scenario_sites(results, scenario)
    points_to_pixels = axes.figure.dpi / 72
    for site in sites:
        x, y = axes.transData.transform(project(site["lat"], site["lon"], origin))
        added = is_added(results, scenario, site)
        radius = points_to_pixels * (math.sqrt(ADDED_RING_SIZE) / 2 if added else 6)
        taken.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
    inside = axes.get_window_extent(renderer)
    added_first = sorted(sites, key=lambda site: not is_added(results, scenario, site))
    for site in added_first:
        added = is_added(results, scenario, site)
        position = project(site["lat"], site["lon"], origin)
        for placement in NAME_POSITIONS:
            name = write_name(axes, site.get("municipality") or site["name"], position, placement, added)
            box = name.get_window_extent(renderer).padded(NAME_GAP_PIXELS)
            fits = inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(other) for other in taken):
                break
            name.remove()
        else:
            name = write_name(axes, site.get("municipality") or site["name"], position, NAME_POSITIONS[0], added)
            box = name.get_window_extent(renderer).padded(NAME_GAP_PIXELS)
        taken.append(box)


def write_name(axes, name: str, position: tuple[float, float], placement: tuple, added: bool):
    """Write a site's name at one of the NAME_POSITIONS around it; added sites in bold."""
    dx, dy, horizontal, vertical = placement
    ring = ADDED_RING_OFFSET if added else 1
    return axes.annotate(
        name,
        position,
        xytext=(dx * ring, dy * ring),
        textcoords="offset points",
        ha=horizontal,
        va=vertical,
        fontsize=9 if added else 8,
        fontweight="bold" if added else "normal",
        path_effects=NAME_HALO,
        zorder=5,
        in_layout=False,
    )


def legend_handles(results: Results, lang: str, most_clients: float) -> list[Line2D]:
    """Return legend entries: site kinds present, each vehicle's tour colour, the added-site ring and circle sizes."""
    kinds = list(
        dict.fromkeys(site["kind"] for scenario in results.scenarios for site in scenario_sites(results, scenario))
    )
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=SITE_MARKERS.get(kind, "X"),
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.3,
            markersize=7,
            label=capitalise(site_kind_label(kind, lang)),
        )
        for kind in kinds
    ]
    handles += [
        Line2D([], [], color=colour, linewidth=1.6, label=vehicle_name(vehicle, kind, lang))
        for (vehicle, kind), colour in tour_colours(results).items()
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.5,
            label=capitalise(phrase("added_site", lang)),
        )
    )
    if most_clients > 0:
        for share in (0.1, 0.5, 1.0):
            clients = round_clients(share * most_clients)
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markerfacecolor="0.8",
                    markeredgecolor="0.3",
                    markersize=math.sqrt(circle_size(clients, most_clients)),
                    label=phrase("clients_legend", lang, count=format_number(clients, lang, 0)),
                )
            )
    return handles
