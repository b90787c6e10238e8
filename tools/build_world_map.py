"""Build operations/data/world_map.json (SVG country paths and small-country markers) from world-atlas."""

import argparse
import itertools
import json
import math
from collections import defaultdict
from pathlib import Path

import pycountry

OUTPUT = Path(__file__).resolve().parent.parent / "operations" / "data" / "world_map.json"
WIDTH = 1000
MARGIN = 6
# Coordinates are kept in tenths of a viewBox unit: finer than a screen shows the map, and whole numbers make
# rounding, deduplication and relative path offsets exact.
PRECISION = 10
# Douglas-Peucker tolerance in viewBox units: the 110m lines are already generalised, so this only drops
# points within a third of a unit of the simplified line, less than a pixel at the widths the map is shown.
TOLERANCE = 0.35
# Rows searched for a label point when a country's centroid lies outside it or on a sliver of it.
LABEL_ROWS = 24

# Natural Earth draws these de facto entities apart and world-atlas gives them no ISO id. ISO (and the sources
# this tracker reads) count them within the country named here, so they are merged into it; Kosovo has a code.
NO_ID_FEATURES = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}
# No operations take place there, and it would take a fifth of the map's height.
EXCLUDED = {"AQ"}
# Territories Natural Earth keeps inside another feature: picked out of that feature's 50m polygons by a
# lon/lat box (west, south, east, north) so that they get a marker of their own.
PARTS_OF_FEATURES = {
    "GF": ("France", (-55.0, 2.0, -51.0, 6.0)),
    "GP": ("France", (-62.0, 15.8, -61.0, 16.6)),
    "MQ": ("France", (-61.3, 14.3, -60.7, 15.0)),
    "RE": ("France", (55.0, -21.5, 56.0, -20.8)),
    "YT": ("France", (44.9, -13.1, 45.3, -12.6)),
    "BQ": ("Netherlands", (-68.5, 12.0, -68.1, 12.4)),
    "SJ": ("Norway", (10.0, 74.0, 34.0, 81.0)),
    "CX": ("Indian Ocean Ter.", (105.5, -10.7, 105.8, -10.3)),
    "CC": ("Indian Ocean Ter.", (96.7, -12.3, 97.0, -12.0)),
}


class Topology:
    """A TopoJSON countries file: arcs decoded to lon/lat, polygons grouped by alpha-2 code and by name."""

    def __init__(self, path):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        (scale_x, scale_y), (shift_x, shift_y) = data["transform"]["scale"], data["transform"]["translate"]
        self.arcs = []
        for arc in data["arcs"]:
            # Quantized arcs store each point as an offset from the previous one.
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * scale_x + shift_x, y * scale_y + shift_y))
            self.arcs.append(points)
        self.by_iso2 = defaultdict(list)
        self.by_name = {}
        for geometry in data["objects"]["countries"]["geometries"]:
            if geometry["type"] == "Polygon":
                polygons = [geometry["arcs"]]
            elif geometry["type"] == "MultiPolygon":
                polygons = geometry["arcs"]
            else:
                continue
            name = geometry["properties"]["name"]
            self.by_name[name] = polygons
            iso2 = iso2_for(geometry.get("id"), name)
            if iso2 and iso2 not in EXCLUDED:
                self.by_iso2[iso2].extend(polygons)


def iso2_for(numeric_id, name):
    if numeric_id is None:
        return NO_ID_FEATURES.get(name)
    country = pycountry.countries.get(numeric=numeric_id)
    return country.alpha_2 if country else None


def ring_points(ring, arcs):
    """The closed ring's points from its arc indexes; ~i means arc i walked backwards."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def dissolve(polygons, arcs):
    """Rings (as arc indexes) of the union of polygons: an arc used in both directions is an inner border."""
    rings = [ring for polygon in polygons for ring in polygon]
    used = {index for ring in rings for index in ring}
    if not any(~index in used for index in used):
        return rings
    outer = [index for ring in rings for index in ring if ~index not in used]
    # Chain what is left back into closed rings, each arc followed by the one starting where it ends. Matching
    # on the unprojected points is exact: shared points decode from the same integers.
    by_start = defaultdict(list)
    for index in outer:
        by_start[ring_points([index], arcs)[0]].append(index)
    remaining = set(outer)
    stitched = []
    for index in outer:
        if index not in remaining:
            continue
        ring = [index]
        remaining.discard(index)
        by_start[ring_points([index], arcs)[0]].remove(index)
        while (end := ring_points([ring[-1]], arcs)[-1]) != ring_points([ring[0]], arcs)[0]:
            following = by_start[end].pop()
            remaining.discard(following)
            ring.append(following)
        stitched.append(ring)
    return stitched


def natural_earth(lon, lat):
    """Natural Earth I projection (Šavrič et al. 2011, as in d3-geo): degrees in, unit plane out."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


class Projector:
    """Natural Earth I scaled so the whole globe spans WIDTH, cropped to the latitudes of the kept land."""

    def __init__(self, north, south):
        half_width = natural_earth(180, 0)[0]
        self.scale = (WIDTH - 2 * MARGIN) / (2 * half_width)
        self.offset_x = MARGIN + half_width * self.scale
        self.top = natural_earth(0, north)[1] * self.scale + MARGIN
        self.height = math.ceil(self.top - natural_earth(0, south)[1] * self.scale + MARGIN)

    def __call__(self, lon, lat):
        """The point in tenths of a viewBox unit, as integers."""
        x, y = natural_earth(lon, lat)
        column = self.offset_x + x * self.scale
        row = self.top - y * self.scale
        return round(column * PRECISION), round(row * PRECISION)

    def points(self, lonlats):
        """Projected points without the repeats that rounding makes."""
        projected = [self(lon, lat) for lon, lat in lonlats]
        return [point for index, point in enumerate(projected) if index == 0 or point != projected[index - 1]]


def simplify(points, tolerance):
    """Indexes Douglas-Peucker keeps; both ends always, so a shared arc simplifies alike for both sides."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                offset = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                offset = math.hypot(px - ax, py - ay)
            if offset > distance:
                farthest, distance = index, offset
        if farthest is not None:
            keep.add(farthest)
            stack.extend([(first, farthest), (farthest, last)])
    return sorted(keep)


def simplified_arc(arc, project):
    """The lon/lat points of an arc worth drawing at the map's scale (simplified on the projected plane)."""
    projected = [project(lon, lat) for lon, lat in arc]
    return [arc[index] for index in simplify(projected, TOLERANCE * PRECISION)]


def split_at_antimeridian(ring):
    """A ring that crosses 180° (Fiji, Chukotka) as the pieces either side, cut along the map's edge."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous_lon = unwrapped[-1][0]
        lon += 360 * round((previous_lon - lon) / 360)
        unwrapped.append((lon, lat))
    lons = [lon for lon, _ in unwrapped]
    seam = next((edge for edge in (-180, 180) if min(lons) < edge < max(lons)), None)
    if seam is None:
        return [ring]
    west = clip(unwrapped, seam, lambda lon: lon <= seam)
    east = clip(unwrapped, seam, lambda lon: lon >= seam)
    # Bring the piece beyond the seam back into -180..180.
    if seam < 0:
        west = [(lon + 360, lat) for lon, lat in west]
    else:
        east = [(lon - 360, lat) for lon, lat in east]
    return [piece for piece in (west, east) if len(piece) >= 3]


def clip(ring, seam, keeps):
    """Sutherland-Hodgman against the meridian at seam: the part of the ring on the side keeps() accepts."""
    kept = []
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if keeps(ax):
            kept.append((ax, ay))
        if keeps(ax) != keeps(bx):
            kept.append((seam, ay + (seam - ax) * (by - ay) / (bx - ax)))
    return kept


def number(tenths):
    """Tenths as the shortest SVG number: 12 -> "1.2", -5 -> "-.5", 30 -> "3"."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), PRECISION)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def join_numbers(values):
    text = ""
    for value in values:
        formatted = number(value)
        # In SVG path syntax a minus sign separates numbers by itself.
        text += formatted if not text or formatted.startswith("-") else " " + formatted
    return text


def svg_path(rings):
    """Absolute move to each ring's start, then relative offsets, which are short and, in tenths, exact."""
    parts = []
    for ring in rings:
        offsets = []
        for (ax, ay), (bx, by) in itertools.pairwise(ring):
            offsets.extend([bx - ax, by - ay])
        parts.append(f"M{join_numbers(ring[0])}l{join_numbers(offsets)}z")
    return "".join(parts)


def area_and_centroid(ring):
    twice_area = cx = cy = 0.0
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = ax * by - bx * ay
        twice_area += cross
        cx += (ax + bx) * cross
        cy += (ay + by) * cross
    if not twice_area:
        # Smaller than the rounding (Vatican, Monaco): the mean of its points is as good as anything.
        return 0.0, (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    return abs(twice_area) / 2, (cx / (3 * twice_area), cy / (3 * twice_area))


def spans(rings, y):
    """The stretches of land along the row at y: pairs of edge crossings (even-odd, so holes count)."""
    xs = []
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (ay > y) != (by > y):
                xs.append(ax + (y - ay) * (bx - ax) / (by - ay))
    xs.sort()
    return list(zip(xs[::2], xs[1::2], strict=True))


def distance_to_edges(rings, x, y):
    nearest = math.inf
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
            length_squared = (bx - ax) ** 2 + (by - ay) ** 2
            # How far along the edge the nearest point lies, 0 at a and 1 at b.
            along = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length_squared if length_squared else 0
            along = min(1, max(0, along))
            nearest = min(nearest, math.hypot(x - ax - along * (bx - ax), y - ay - along * (by - ay)))
    return nearest


def label_point(rings):
    """Where a marker goes: the centroid of the largest ring, unless it lies outside the land or on a sliver
    of it (Norway's is on the thin strip by Sweden); then the point deepest inside among the middles of the
    land's stretches on a few rows."""
    largest = max(rings, key=lambda ring: area_and_centroid(ring)[0])
    centroid = area_and_centroid(largest)[1]
    if len(set(largest)) < 3:
        return rounded(centroid)
    top, bottom = min(y for _, y in largest), max(y for _, y in largest)
    rows = [top + (bottom - top) * (step + 0.5) / LABEL_ROWS for step in range(LABEL_ROWS)]
    candidates = [((left + right) / 2, row) for row in rows for left, right in spans(rings, row)]
    deepest = max(candidates, key=lambda point: distance_to_edges(rings, *point), default=centroid)
    inside = any(left <= centroid[0] <= right for left, right in spans(rings, centroid[1]))
    if inside and distance_to_edges(rings, *centroid) >= distance_to_edges(rings, *deepest) / 2:
        return rounded(centroid)
    return rounded(deepest)


def rounded(point):
    return [round(point[0] / PRECISION, 1), round(point[1] / PRECISION, 1)]


def country_name(iso2):
    country = pycountry.countries.get(alpha_2=iso2)
    if country is None:
        return {"XK": "Kosovo"}[iso2]
    return getattr(country, "common_name", None) or country.name


def projected_rings(rings, arcs, project):
    """Arc-index rings as projected open point lists, cut at 180°, without those that rounding flattens."""
    pieces = [piece for ring in rings for piece in split_at_antimeridian(ring_points(ring, arcs)[:-1])]
    return [points for points in map(project.points, pieces) if len(set(points)) >= 3]


def marker(topology, polygons, project):
    """A position for a country too small for the drawn scale: its label point in the detailed file."""
    rings = [ring_points(ring, topology.arcs)[:-1] for ring in dissolve(polygons, topology.arcs)]
    # Unlike drawn rings, keep those that rounding flattens: for Monaco or the Vatican they are all there is.
    return label_point([project.points(piece) for ring in rings for piece in split_at_antimeridian(ring)])


def within(topology, polygon, box):
    west, south, east, north = box
    outline = ring_points(polygon[0], topology.arcs)
    return all(west <= lon <= east and south <= lat <= north for lon, lat in outline)


def build(shapes_path, markers_path):
    shapes, details = Topology(shapes_path), Topology(markers_path)
    latitudes = [
        lat
        for topology in (shapes, details)
        for polygons in topology.by_iso2.values()
        for polygon in polygons
        for lon, lat in ring_points(polygon[0], topology.arcs)
    ]
    project = Projector(max(latitudes), min(latitudes))
    # Simplify each arc once, before rings are assembled, so that two neighbours keep exactly the same border.
    drawn_arcs = [simplified_arc(arc, project) for arc in shapes.arcs]

    countries = {}
    for iso2, polygons in sorted(shapes.by_iso2.items()):
        rings = projected_rings(dissolve(polygons, shapes.arcs), drawn_arcs, project)
        countries[iso2] = {
            "name": country_name(iso2),
            "path": svg_path(rings),
            "centroid": label_point(rings),
        }

    markers = {}
    for iso2, polygons in details.by_iso2.items():
        if iso2 not in countries:
            markers[iso2] = {"name": country_name(iso2), "centroid": marker(details, polygons, project)}
    for iso2, (feature_name, box) in PARTS_OF_FEATURES.items():
        polygons = [polygon for polygon in details.by_name[feature_name] if within(details, polygon, box)]
        if polygons and iso2 not in countries:
            markers[iso2] = {"name": country_name(iso2), "centroid": marker(details, polygons, project)}

    return {
        "viewBox": f"0 0 {WIDTH} {project.height}",
        "source": source_note(shapes_path),
        "countries": countries,
        "markers": dict(sorted(markers.items())),
    }


def source_note(shapes_path):
    """The package and version, read from the package.json beside the extracted file when it is there."""
    package_file = Path(shapes_path).resolve().parent / "package.json"
    if not package_file.exists():
        return "Natural Earth (public domain) via world-atlas"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    return f"Natural Earth (public domain) via {package['name']} {package['version']} ({package['license']})"


def to_json(world_map):
    """Compact JSON with one country a line, so that a regenerated file diffs country by country."""
    lines = []
    for key, value in world_map.items():
        if isinstance(value, dict):
            entries = ",\n".join(f"  {json.dumps(code)}: {compact(entry)}" for code, entry in value.items())
            lines.append(f" {json.dumps(key)}: {{\n{entries}\n }}")
        else:
            lines.append(f" {json.dumps(key)}: {compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("shapes", help="world-atlas countries-110m.json: the outlines that are drawn")
    parser.add_argument("markers", help="world-atlas countries-50m.json: positions for what 110m leaves out")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    world_map = build(arguments.shapes, arguments.markers)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(to_json(world_map), encoding="utf-8")
    print(
        f"{arguments.output}: {arguments.output.stat().st_size:,} bytes, "
        f"{len(world_map['countries'])} countries with paths, {len(world_map['markers'])} markers"
    )


if __name__ == "__main__":
    main()
