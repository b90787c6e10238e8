"""Dashboards in a real browser: the card operations and the overview render cleanly; WEKA II prints on A4."""

import shutil
import subprocess

import pytest
from django.contrib.auth.models import User

from operations import charts
from operations.models import Operation, ReportedFigure
from tests.helpers.pages import ARTIFACTS

CARD_OPERATIONS = ["libertad", "weka-ii", "storm-makers", "turquesa-iii"]
# A4 and Letter at 96 CSS pixels per inch, less the @page margins of tracker.css (14 mm top, 16 mm bottom).
A4_CONTENT_HEIGHT_PX = (297 - 14 - 16) / 25.4 * 96
LETTER_CONTENT_HEIGHT_PX = (279.4 - 14 - 16) / 25.4 * 96
PAGE_SIZES = {"A4": "(A4)", "Letter": "(letter)"}  # as pdfinfo names the page size


@pytest.fixture
def logged_in_analyst(seeded, login):
    User.objects.create_user(username="dashboard-analyst", password="dashboard-pw-123")
    login("dashboard-analyst", "dashboard-pw-123")


@pytest.mark.parametrize("slug", CARD_OPERATIONS)
def test_card_operation_dashboard_renders_without_console_errors(
    logged_in_analyst, live_server, page, screenshot, console_errors, slug
):
    operation = Operation.objects.get(slug=slug)
    page.goto(f"{live_server.url}/operations/{slug}/")

    assert page.get_by_role("heading", level=1).inner_text().startswith(operation.name)
    assert page.locator("svg.world-map").is_visible()
    victims = page.locator(".figure-card[data-metric='victims_rescued'] .figure-headline")
    assert victims.inner_text().startswith(str(operation.figure("victims_rescued")))
    # Every participating country the map can draw is on it.
    iso2s = set(operation.participations.values_list("country__iso2", flat=True))
    on_map = set(page.locator("svg.world-map [data-iso2]").evaluate_all("els => els.map(e => e.dataset.iso2)"))
    assert iso2s - set(charts.unmappable(iso2s)) <= on_map
    screenshot(f"dashboard-{slug}")
    assert console_errors == []


def test_overview_renders_without_console_errors(logged_in_analyst, live_server, page, screenshot, console_errors):
    page.goto(f"{live_server.url}/")

    assert page.get_by_role("heading", name="Overview", exact=True).is_visible()
    assert page.locator("svg.column-chart").count() == 4  # operations, victims, arrests per year; per region
    assert page.locator("svg.world-map").is_visible()
    screenshot("overview")
    assert console_errors == []

    response = page.goto(f"{live_server.url}/?year_from=abc")
    assert response.status == 400  # as the lists answer an invalid filter
    assert page.locator("#form-errors").is_visible()
    screenshot("overview-bad-filter")
    # Chromium reports the page's own 400 as a console error; nothing else may fail (no CSP violation, no script).
    assert console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]


def test_weka_ii_prints_on_a4_and_letter_with_sources_as_footnotes_and_no_chart_cut(
    logged_in_analyst, live_server, page, console_errors
):
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install -y poppler-utils (make browser-deps does it)"
    page.goto(f"{live_server.url}/operations/weka-ii/")
    assert not page.locator("#print-date").is_visible()  # the print date is for paper only

    page.emulate_media(media="print")
    assert page.locator("#print-date").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    blocks = page.locator(".chart-block")
    assert blocks.count() >= 3  # the map and a bar chart per figure some country has
    for index in range(blocks.count()):
        chart = blocks.nth(index)
        assert chart.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
        # "avoid" can only be honoured by a block that fits on one page.
        assert chart.bounding_box()["height"] < min(A4_CONTENT_HEIGHT_PX, LETTER_CONTENT_HEIGHT_PX)
    for svg in page.locator("svg.chart").all():
        assert svg.evaluate("el => getComputedStyle(el).breakInside") == "avoid"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    operation = Operation.objects.get(slug="weka-ii")
    cited = {figure.source for figure in ReportedFigure.objects.filter(operation=operation)}
    for paper, size in PAGE_SIZES.items():
        pdf_path = ARTIFACTS / f"dashboard-weka-ii-{paper.lower()}.pdf"
        # prefer_css_page_size: a page size forced by the stylesheet would win over the paper chosen here.
        page.pdf(path=str(pdf_path), format=paper, print_background=True, prefer_css_page_size=True)
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
        ).stdout
        info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout

        assert pdf_path.read_bytes().startswith(b"%PDF")
        assert size in info, info  # printed on the paper asked for
        assert "Sources" in text
        assert "Printed from the Trafficking Operations Tracker on" in text
        for source in cited | set(operation.sources.all()):
            assert source.publisher in text
        assert "[1]" in text  # the figures' footnote markers
        flat = " ".join(text.split())
        # Paper shows every report's quote, the other reports' too (their disclosure is closed on screen).
        assert "Les autorités de 44 pays ont secouru près de 700 victimes" in flat
        assert "have rescued nearly 700 victims of human trafficking." in flat
        assert " ".join(operation.notes.split())[:40] not in flat  # curation notes are for editors
    assert console_errors == []


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_a_figures_footnote_is_reached_and_opened_with_the_keyboard(
    logged_in_analyst, live_server, page, screenshot, console_errors, viewport
):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/operations/weka-ii/")
    marker = page.locator(".figure-card[data-metric='victims_rescued'] sup a")
    number = marker.inner_text().strip("[]")
    note = page.locator(f"#note-{number}")
    others = note.locator("details")

    marker.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith(f"#note-{number}")
    assert note.is_visible() and note.evaluate("el => el.matches(':target')")
    assert "“près de 700”" in note.inner_text()
    assert not others.evaluate("el => el.open")
    assert not note.get_by_text("have rescued nearly 700 victims").is_visible()
    screenshot(f"dashboard-weka-ii-note-closed-{viewport['width']}")

    others.locator("summary").focus()
    page.keyboard.press("Enter")
    assert others.evaluate("el => el.open")
    assert note.get_by_text("have rescued nearly 700 victims").is_visible()
    # The notes and the sources fit the screen's width: nothing to scroll sideways on a phone.
    for block in (page.locator(".figure-notes"), page.locator(".sources")):
        box = block.bounding_box()
        assert box["x"] + box["width"] <= viewport["width"]
        assert block.evaluate("el => el.scrollWidth <= el.clientWidth")
    screenshot(f"dashboard-weka-ii-note-open-{viewport['width']}")
    assert console_errors == []


# The printable width of A4 and Letter at 96 CSS pixels per inch, less tracker.css's 12 mm side margins.
PRINT_WIDTHS_PX = {"A4": (210 - 24) / 25.4 * 96, "Letter": (215.9 - 24) / 25.4 * 96}
PRINT_HEIGHTS_PX = {"A4": A4_CONTENT_HEIGHT_PX, "Letter": LETTER_CONTENT_HEIGHT_PX}


@pytest.mark.parametrize("paper", PRINT_WIDTHS_PX)
def test_card_dashboards_print_their_map_whole_on_page_one_without_a_large_blank(
    logged_in_analyst, live_server, page, paper
):
    # Page 1 of Letter was 45 % blank: the map, kept whole, did not fit under the headline cards and went to page 2.
    page.set_viewport_size({"width": round(PRINT_WIDTHS_PX[paper]), "height": round(PRINT_HEIGHTS_PX[paper])})
    for slug in CARD_OPERATIONS:
        page.goto(f"{live_server.url}/operations/{slug}/")
        page.emulate_media(media="print")
        world = page.locator("#world-map").bounding_box()
        svg = page.locator("#world-map svg.world-map").bounding_box()
        assert world["y"] + world["height"] <= PRINT_HEIGHTS_PX[paper], f"{slug}: the map does not end on page 1"
        assert svg["x"] >= 0 and svg["x"] + svg["width"] <= PRINT_WIDTHS_PX[paper] + 1, f"{slug}: the map is cut"
