"""SVG charts and the world map: plain data in, escaped, well-formed SVG out; no database."""

import xml.etree.ElementTree as ET

from operations import charts

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"

ROWS = [
    ("Brazil", 700, "nearly 700"),
    ("Mexico", None, "—"),
    ("Colombia", 250, "250+"),
    ("Peru", 0, "0"),
    ("Bolivia", None, ""),
]

SHADED = {
    "BR": (700, "Brazil: nearly 700"),
    "MX": (None, "Mexico: no figure"),
    "AW": (5, "Aruba: 5"),
    "CW": (20, "Curaçao: 20"),
    "VC": (None, "Saint Vincent and the Grenadines: no figure"),
    "TC": (3, "Turks and Caicos Islands: 3"),
    "BB": (1, "Barbados: 1"),
    "SX": (2, "Sint Maarten: 2"),
}


def parse(chart):
    return ET.fromstring(str(getattr(chart, "svg", chart)))  # a world map is its SVG and an HTML legend


def by_iso2(root):
    elements = {}
    for element in root.iter():
        if "data-iso2" in element.attrib:
            assert element.attrib["data-iso2"] not in elements, "one element per country"
            elements[element.attrib["data-iso2"]] = element
    return elements


def tooltip(element):
    return element.find(f"{SVG}title").text


def test_bar_chart_draws_one_bar_per_known_value_and_none_for_unknown():
    svg = charts.bar_chart(ROWS, title="Victims rescued by country", value_label="victims rescued")

    assert svg.count('<rect class="bar"') == 3
    rows = parse(svg).findall(f"{SVG}g[@class='bar-row']")
    assert [row.find(f"{SVG}rect") is not None for row in rows] == [True, False, True, True, False]


def test_bar_lengths_follow_the_values():
    root = parse(charts.bar_chart(ROWS, title="t", value_label="v"))

    widths = [float(rect.attrib["width"]) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0


def test_unknown_is_written_as_a_dash_not_as_zero():
    for chart in (charts.bar_chart, charts.column_chart):
        root = parse(chart(ROWS, title="t", value_label="v"))
        texts = [text.text for text in root.iter(f"{SVG}text") if "value" in text.attrib.get("class", "")]
        assert texts == ["nearly 700", "—", "250+", "0", "—"]


def test_column_chart_draws_one_column_per_known_value():
    years = [("2021", 40, "40"), ("2022", None, "—"), ("2023", 12000, "more than 12,000")]
    svg = charts.column_chart(years, title="Arrests per year", value_label="arrests")

    assert svg.count('<rect class="bar"') == 2
    columns = parse(svg).findall(f"{SVG}g[@class='column']")
    assert [tooltip(column) for column in columns] == ["2021: 40", "2022: —", "2023: more than 12,000"]


def test_a_column_label_too_wide_for_its_slot_is_written_whole_downwards_not_cut():
    years = [(str(year), year - 2000, str(year - 2000)) for year in range(2014, 2026)] + [("year unknown", 1, "1")]
    root = parse(charts.column_chart(years, title="Operations per year", value_label="operations"))
    labels = root.findall(f".//{SVG}text[@class='label']")

    assert [label.text for label in labels] == [row[0] for row in years]  # nothing cut to "year…"
    assert all("transform" not in label.attrib for label in labels[:-1])
    assert "rotate(-90)" in labels[-1].attrib["transform"]
    height = float(root.attrib["viewBox"].split()[3])
    assert height >= 24 + 180 + charts._text_width("year unknown")  # room below the axis for the upright label


def test_an_abbreviated_column_label_keeps_the_chart_short_and_is_explained_on_it():
    years = [(str(year), year - 2000, str(year - 2000)) for year in range(2014, 2026)] + [("year unknown", 1, "1")]
    plain = parse(charts.column_chart(years, title="Operations per year", value_label="operations"))
    root = parse(
        charts.column_chart(
            years, title="Operations per year", value_label="operations", abbreviations={"year unknown": "?"}
        )
    )
    labels = root.findall(f".//{SVG}text[@class='label']")

    assert labels[-1].text == "?" and "transform" not in labels[-1].attrib
    assert [text.text for text in root.iter(f"{SVG}text") if "key" in text.attrib.get("class", "")] == [
        "?: year unknown"
    ]
    assert tooltip(root.findall(f"{SVG}g[@class='column']")[-1]) == "year unknown: 1"
    height, plain_height = (float(svg.attrib["viewBox"].split()[3]) for svg in (root, plain))
    assert height < plain_height - 60  # no band of white under the axis


def test_text_is_escaped_in_labels_titles_and_tooltips():
    outputs = [
        charts.bar_chart([(SCRIPT, 3, SCRIPT)], title=SCRIPT, value_label=SCRIPT),
        charts.column_chart([(SCRIPT, 3, SCRIPT)], title=SCRIPT, value_label=SCRIPT),
        charts.world_map({"BR": (3, SCRIPT), "AW": (None, SCRIPT)}, title=SCRIPT, legend_label=SCRIPT),
    ]
    for svg in outputs:
        assert "<script>" not in str(svg)
        assert "&lt;script&gt;" in str(svg)
        root = parse(svg)
        assert root.attrib["aria-label"] == SCRIPT
        assert root.find(f"{SVG}title").text == SCRIPT


def test_world_map_marks_every_shaded_country_with_its_tooltip():
    elements = by_iso2(parse(charts.world_map(SHADED, title="Participants", legend_label="victims rescued")))

    for code, (_, text) in SHADED.items():
        assert tooltip(elements[code]) == text
    # Too small for the 1:110m outlines: drawn as circles at their 1:50m position.
    for code in ("AW", "CW", "VC", "TC", "BB", "SX"):
        assert elements[code].tag == f"{SVG}circle"
        assert "marker" in elements[code].attrib["class"]
    assert elements["BR"].tag == elements["MX"].tag == f"{SVG}path"


def test_world_map_shades_light_to_dark_and_hatches_participants_without_a_figure():
    shaded = {"BR": (10000, "a lot"), "AR": (1, "one"), "MX": (None, "no figure"), "VC": (None, "no figure")}
    elements = by_iso2(parse(charts.world_map(shaded, title="t", legend_label="v")))

    assert elements["BR"].attrib["fill"] == charts.RAMP[-1]
    assert elements["AR"].attrib["fill"] == charts.RAMP[0]
    assert elements["MX"].attrib["fill"].startswith("url(#")
    assert elements["VC"].attrib["fill"] == elements["MX"].attrib["fill"]
    assert elements["CA"].attrib["fill"] == charts.NEUTRAL_FILL


def legend_texts(world):
    legend = ET.fromstring(str(world.legend))
    return ["".join(item.itertext()).strip() for item in legend]


def test_world_map_legend_lists_the_classes_no_figure_and_command_centre():
    shaded = {"BR": (9873, "x"), "MX": (None, "y")}
    world = charts.world_map(shaded, title="t", highlight=["CO"], legend_label="victims rescued")

    assert legend_texts(world) == ["victims rescued", "9,873", "no figure", "command centre"]


def test_legend_classes_come_from_the_values_shown_and_none_is_empty():
    # Two values: two classes, each the value itself (not 0-2 ... 9-10 with the darkest classes empty).
    two = charts.world_map({"BR": (1, "a"), "AR": (6, "b")}, title="t", legend_label="v")
    assert legend_texts(two) == ["v", "1", "6"]
    # Many values: five classes split at the quantiles; each label is the lowest and highest value inside it.
    values = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987]
    codes = ["BR", "AR", "CL", "PE", "CO", "EC", "BO", "PY", "UY", "VE", "MX", "US", "CA", "FR", "DE"]
    many = charts.world_map(
        {code: (value, code) for code, value in zip(codes, values, strict=True)}, title="t", legend_label="v"
    )
    labels = legend_texts(many)[1:]
    assert len(labels) == 5
    classes = charts._classes(values)
    assert all(any(low <= value <= high for value in values) for low, high in classes)  # no empty class
    assert sorted(value for value in values) == sorted(
        value for low, high in classes for value in values if low <= value <= high
    )  # every value in exactly one class
    elements = by_iso2(parse(many))
    assert elements["BR"].attrib["fill"] == charts.RAMP[0] and elements["DE"].attrib["fill"] == charts.RAMP[-1]


def test_command_centres_get_a_thick_outline_and_a_star():
    svg = charts.world_map(SHADED, title="t", highlight=["CO", "BR", "AW"], legend_label="v")
    root = parse(svg)
    elements = by_iso2(root)

    for code in ("CO", "BR", "AW"):
        assert "highlight" in elements[code].attrib["class"]
        assert float(elements[code].attrib["stroke-width"]) > 1
    centres = root.findall(f".//{SVG}path[@class='centre-marker']")
    assert [tooltip(centre) for centre in centres] == [
        "Aruba: command centre",
        "Brazil: command centre",
        "Colombia: command centre",
    ]


def test_codes_the_map_cannot_place_are_skipped_and_named_by_unmappable():
    shaded = {"BR": (1, "Brazil"), "ZZ": (2, "nowhere"), "GI": (3, "Gibraltar")}

    elements = by_iso2(parse(charts.world_map(shaded, title="t", highlight=["QQ"], legend_label="v")))

    assert "ZZ" not in elements and "GI" not in elements and "QQ" not in elements
    assert charts.unmappable([*shaded, "QQ", "AW"]) == ["GI", "QQ", "ZZ"]


def test_charts_are_well_formed_scalable_accessible_svg():
    outputs = [
        charts.bar_chart(ROWS, title="Bars", value_label="v"),
        charts.bar_chart([], title="Empty", value_label="v"),
        charts.column_chart(ROWS, title="Columns", value_label="v"),
        charts.column_chart([("2024", None, "—")], title="Unknown only", value_label="v"),
        charts.world_map(SHADED, title="Map", highlight=["CO"], legend_label="v"),
        charts.world_map({}, title="Empty map", legend_label="v"),
    ]
    for svg in outputs:
        root = parse(svg)
        assert root.tag == f"{SVG}svg"
        assert root.attrib["role"] == "img"
        assert root.attrib["width"] == "100%"
        assert root.attrib["aria-label"] == root.find(f"{SVG}title").text
        assert len(root.attrib["viewBox"].split()) == 4
        assert "<script" not in str(svg).lower()


def test_map_data_is_small_and_every_position_is_on_the_map():
    assert charts.MAP_FILE.stat().st_size < 300_000
    world = charts._world()
    _, _, width, height = (float(number) for number in world["viewBox"].split())
    places = [*world["countries"].values(), *world["markers"].values()]
    assert all(0 <= x <= width and 0 <= y <= height for x, y in (place["centroid"] for place in places))
    assert not set(world["countries"]) & set(world["markers"])


def zoomed_box(world):
    box = [float(number) for number in parse(world).attrib["viewBox"].split()]
    return None if box == [0, 0, 1000, 446] else box


def test_zoomed_map_is_cropped_to_its_countries_and_keeps_every_mark():
    caribbean = {code: (1, code) for code in ("BB", "AW", "CW", "VC", "TT", "JM", "GY", "VE", "BZ")}
    svg = charts.world_map(caribbean, title="t", highlight=["BB"], legend_label="v", zoom=True)

    x, y, width, height = zoomed_box(svg)
    assert width < 300  # of the world's 1000
    elements = by_iso2(parse(svg))
    assert set(caribbean) <= set(elements)
    for code in caribbean:
        if elements[code].tag == f"{SVG}circle":
            cx, cy = float(elements[code].attrib["cx"]), float(elements[code].attrib["cy"])
            assert x <= cx <= x + width and y <= cy <= y + height


def test_zoom_keeps_the_world_when_the_countries_span_it():
    spread = {"BR": (1, "a"), "JP": (2, "b"), "NZ": (3, "c"), "CA": (4, "d")}

    assert zoomed_box(charts.world_map(spread, title="t", legend_label="v", zoom=True)) is None
    assert zoomed_box(charts.world_map(spread, title="t", legend_label="v")) is None


def test_a_single_small_country_is_shown_in_context_not_blown_up():
    _, _, width, _ = zoomed_box(charts.world_map({"CI": (76, "x")}, title="t", legend_label="v", zoom=True))

    assert width >= 1000 * charts.MIN_ZOOM_WIDTH


def _luminance(colour):
    """WCAG relative luminance of "#rrggbb": what is left of a colour printed or viewed in greyscale."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(light, dark):
    return (_luminance(light) + 0.05) / (_luminance(dark) + 0.05)


def test_map_classes_and_bars_read_in_greyscale():
    # Non-participants, then the classes from light to dark: each step visibly darker without its hue.
    shades = [charts.NEUTRAL_FILL, *charts.RAMP]
    assert all(_contrast(lighter, darker) >= 1.25 for lighter, darker in zip(shades, shades[1:], strict=False))
    assert _contrast("#ffffff", charts.BAR_FILL) >= 4.5  # bars against the white page
    assert _contrast(charts.HATCH_BACKGROUND, charts.HATCH_LINE) >= 3  # "no figure" hatching stays visible


def _star_box(path):
    numbers = [
        float(number) for number in path.attrib["d"].replace("M", " ").replace("L", " ").replace("Z", "").split()
    ]
    xs, ys = numbers[::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_command_centres_star_sits_beside_its_country_never_on_it():
    # Storm Makers: Viet Nam is a command centre, its neighbour Cambodia the only shaded country.
    world = charts.world_map(
        {"KH": (16, "Cambodia"), "VN": (None, "Viet Nam")}, title="t", highlight=["VN"], legend_label="v", zoom=True
    )
    star = parse(world).find(f".//{SVG}path[@class='centre-marker']")
    outlines = charts._outline_boxes()
    assert not _overlap(_star_box(star), outlines["VN"])
    assert not _overlap(_star_box(star), outlines["KH"])


def test_a_framed_map_holds_every_country_whole_with_a_margin():
    libertad = ["AG", "AW", "BB", "BR", "BZ", "CW", "GY", "JM", "LC", "TC", "TT", "VC", "VE"]
    x, y, width, height = zoomed_box(
        charts.world_map(
            {code: (None, code) for code in libertad}, title="t", highlight=["BB"], legend_label="v", zoom=True
        )
    )
    outlines = charts._outline_boxes()
    for code in set(libertad) & set(outlines):
        x0, y0, x1, y1 = outlines[code]
        assert x + 8 <= x0 and x1 <= x + width - 8 and y + 8 <= y0 and y1 <= y + height - 8, code
    assert height > width * 0.8  # South America and the Caribbean get an upright frame, not a band of ocean
