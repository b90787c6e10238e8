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


def parse(svg):
    return ET.fromstring(str(svg))


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


def test_text_is_escaped_in_labels_titles_and_tooltips():
    outputs = [
        charts.bar_chart([(SCRIPT, 3, SCRIPT)], title=SCRIPT, value_label=SCRIPT),
        charts.column_chart([(SCRIPT, 3, SCRIPT)], title=SCRIPT, value_label=SCRIPT),
        charts.world_map({"BR": (3, SCRIPT), "AW": (None, SCRIPT)}, title=SCRIPT, legend_label=SCRIPT),
    ]
    for svg in outputs:
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
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


def test_world_map_legend_lists_the_classes_no_figure_and_command_centre():
    shaded = {"BR": (9873, "x"), "MX": (None, "y")}
    root = parse(charts.world_map(shaded, title="t", highlight=["CO"], legend_label="victims rescued"))

    legend = root.find(f".//{SVG}g[@class='legend']")
    texts = [text.text for text in legend.iter(f"{SVG}text")]
    assert texts == [
        "victims rescued",
        "0\u20132,000",
        "2,001\u20134,000",
        "4,001\u20136,000",
        "6,001\u20138,000",
        "8,001\u201310,000",
        "no figure",
        "command centre",
    ]


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
        assert "<script" not in svg.lower()


def test_map_data_is_small_and_every_position_is_on_the_map():
    assert charts.MAP_FILE.stat().st_size < 300_000
    world = charts._world()
    _, _, width, height = (float(number) for number in world["viewBox"].split())
    places = [*world["countries"].values(), *world["markers"].values()]
    assert all(0 <= x <= width and 0 <= y <= height for x, y in (place["centroid"] for place in places))
    assert not set(world["countries"]) & set(world["markers"])


def zoomed_box(svg):
    inner = parse(svg).find(f"{SVG}svg")
    return None if inner is None else [float(number) for number in inner.attrib["viewBox"].split()]


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
