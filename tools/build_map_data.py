"""Build the reading room's bundled map data from Natural Earth (via npm's world-atlas).

    npm ci                               # node_modules/world-atlas (package.json pins the version)
    python tools/build_map_data.py       # writes src/declass/data/geo/countries-110m.json

world-atlas redistributes Natural Earth's 1:110m Admin 0 countries (public
domain) as TopoJSON (package: ISC licence).  This decodes the TopoJSON
(quantised, delta-encoded arcs shared between neighbours) into each
country's rings of longitude/latitude pairs, rounded to 0.01 degree, so the
server draws coastlines and borders with no JavaScript and nothing fetched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "world-atlas" / "countries-110m.json"
OUT = ROOT / "src" / "declass" / "data" / "geo" / "countries-110m.json"


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: run 'npm ci' first", file=sys.stderr)
        return 1
    topo = json.loads(SOURCE.read_text("utf-8"))
    version = json.loads((SOURCE.parent / "package.json").read_text("utf-8"))["version"]
    arcs = decode_arcs(topo)
    countries = []
    for g in topo["objects"]["countries"]["geometries"]:
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]] if g["type"] == "Polygon" else []
        rings = [[[round(x, 2), round(y, 2)] for x, y in ring(r, arcs)] for poly in polygons for r in poly]
        countries.append({"name": g.get("properties", {}).get("name", ""), "id": g.get("id"), "rings": rings})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": f"Natural Earth 1:110m Admin 0 countries (v4.1.0), via the npm package world-atlas {version}",
        "licence": "Natural Earth: public domain; world-atlas packaging: ISC",
        "countries": countries,
    }, separators=(",", ":"), ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(countries)} countries to {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
