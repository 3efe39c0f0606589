"""Place maps drawn on the server: coastlines and borders from Natural Earth
(bundled, public domain; `tools/build_map_data.py` converts it), the place
marked, and the archive's other places in view labelled with the name the
documents use beside the modern one ("Port Arthur (Lüshun)").  No tiles,
nothing fetched, readable without JavaScript.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 760, 460


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as the map labels it
    lat: float
    lon: float
    mentioned: bool


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, tuple[tuple[tuple[float, float], ...], ...]], ...]:
    """Every country's rings of (lon, lat), from the bundled Natural Earth file."""
    text = resources.files("declass.data").joinpath("geo", "countries-110m.json").read_text("utf-8")
    data = json.loads(text)
    return tuple((c["name"], tuple(tuple((float(x), float(y)) for x, y in r) for r in c["rings"]))
                 for c in data["countries"])


def label(entity: Any, forms: dict[str, int]) -> str:
    """The name the archive uses most for a place, with the modern name beside it when they differ."""
    own = {f.lower() for f in (entity.name, *entity.variants)}
    used = sorted((f for f in forms if f.lower() in own), key=lambda f: -forms[f])
    first = used[0] if used else entity.name
    return first if first.lower() == entity.name.lower() else f"{first} ({entity.name})"


def frame(lat: float, lon: float, span: float = 44.0) -> tuple[float, float, float, float]:
    """West, east, south, north of a view centred near (lat, lon), kept on the globe."""
    half_lon = span / 2
    half_lat = half_lon * HEIGHT / WIDTH / max(math.cos(math.radians(lat)), 0.3)
    south, north = max(lat - half_lat, -85.0), min(lat + half_lat, 85.0)
    west, east = lon - half_lon, lon + half_lon
    if west < -180:
        west, east = -180.0, -180 + span
    if east > 180:
        west, east = 180 - span, 180.0
    return west, east, south, north


def place_map(here: Place, others: list[Place]) -> Markup:
    west, east, south, north = frame(here.lat, here.lon)
    kx, ky = WIDTH / (east - west), HEIGHT / (north - south)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * kx, (north - lat) * ky

    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="map" role="img" '
             f'aria-label="Map of {escape(here.name)} and the places near it">',
             f'<title>{escape(here.name)}: {here.lat:.2f}, {here.lon:.2f}</title>',
             f'<rect width="{WIDTH}" height="{HEIGHT}" class="sea"/>']
    step = 10 if east - west > 30 else 5
    for lo in range(math.ceil(west / step) * step, int(east) + 1, step):
        x = xy(lo, 0)[0]
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{HEIGHT}" class="grid"/>')
    for la in range(math.ceil(south / step) * step, int(north) + 1, step):
        y = xy(0, la)[1]
        parts.append(f'<line x1="0" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" class="grid"/>')
    for name, rings in countries():
        paths = []
        for ring in rings:
            if not any(west - 5 <= lo <= east + 5 and south - 5 <= la <= north + 5 for lo, la in ring):
                continue
            pts = [xy(lo, la) for lo, la in ring]
            paths.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
        if paths:
            parts.append(f'<path d="{"".join(paths)}" class="land"><title>{escape(name)}</title></path>')
    taken: list[tuple[float, float, float, float]] = []

    def free(box: tuple[float, float, float, float]) -> bool:
        return all(box[2] < t[0] or box[0] > t[2] or box[3] < t[1] or box[1] > t[3] for t in taken)

    hx, hy = xy(here.lon, here.lat)
    taken.append((hx - 8, hy - 9, hx + 10 + 7.2 * len(here.name), hy + 6))
    for p in sorted(others, key=lambda p: not p.mentioned):
        if not (west <= p.lon <= east and south <= p.lat <= north) or (p.lat, p.lon) == (here.lat, here.lon):
            continue
        x, y = xy(p.lon, p.lat)
        cls = "place mentioned" if p.mentioned else "place"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 if p.mentioned else 2}" class="{cls}">'
                     f"<title>{escape(p.name)}</title></circle>")
        if not p.mentioned:
            continue
        w = 6.4 * len(p.name) + 2
        for box, tx, ty, anchor in (((x + 4, y - 10, x + 6 + w, y + 4), x + 5, y + 4, "start"),
                                    ((x - 6 - w, y - 10, x - 4, y + 4), x - 5, y + 4, "end"),
                                    ((x - w / 2, y - 22, x + w / 2, y - 6), x, y - 8, "middle"),
                                    ((x - w / 2, y + 7, x + w / 2, y + 21), x, y + 18, "middle"),
                                    ((x - w / 2, y + 22, x + w / 2, y + 36), x, y + 33, "middle")):
            if box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= HEIGHT and free(box):
                taken.append(box)
                parts.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" class="place-label">'
                             f"{escape(p.name)}</text>")
                break
    parts.append(f'<circle cx="{hx:.1f}" cy="{hy:.1f}" r="6" class="here"/>'
                 f'<text x="{hx + 10:.1f}" y="{hy + 5:.1f}" class="here-label">{escape(here.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
