"""Every page × language × screen width: no sideways page, no cut figure or label, axe-core's serious rules pass.

One browser context per width (logged in once, the language switched by its cookie), so the whole matrix is one page
load, one check script, one axe run and one screenshot per cell. Every problem of a width is collected and reported
together, so a failing run says everything that is wrong, not only the first thing.
"""

import json
import re
from pathlib import Path

import axe_playwright_python
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from operations.models import Operation
from tests.helpers.urls import app_urls

from .conftest import ARTIFACTS

WIDTHS = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1280, 800)}
LANGUAGES = ("en", "es", "fr")
# Dashboards beyond the URLconf's sample: the product card's operations, the largest, and one naming no country.
DASHBOARDS = ("libertad", "weka-ii", "storm-makers", "turquesa-iii", "liberterra-iii")
SERIOUS = {"serious", "critical"}
# axe-core as the axe-playwright-python wheel ships it, added to every page of the context when it opens: sending the
# 570 kB script with each check cost about 0.12 s a page (a minute of the whole matrix).
AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
IMPORT_HEADER = (
    "name,coordinator,region,start_date,end_date,countries_count,victims_rescued,arrests,investigations_opened,"
    "migrants_identified,exploitation_types,summary,source_url,source_title,source_published\n"
)
IMPORT_ROW = (
    "Synthetic Layout Operation,Synthetic coordinator,Synthetic region,2024-03-01,2024-03-10,3,nearly 70,12,,,"
    "forced labour,Synthetic.,https://example.org/synthetic-layout,Synthetic release,2024-04-01\n"
)
IMPORT_BAD_ROW = "Synthetic Layout Operation,,,2024-13-01,,x,lots,-3,,,,,not a link,,someday\n"

# Run in the page: what a reader would see as broken. Returns a list of sentences.
CHECK_LAYOUT = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const scrolled = document.scrollingElement.scrollWidth;
  if (scrolled > window.innerWidth) problems.push(`page is ${scrolled}px wide in a ${window.innerWidth}px window`);
  const header = document.querySelector('nav.navbar, #header');
  if (header && Math.abs(header.getBoundingClientRect().width - width) > 1)
    problems.push(`header is ${Math.round(header.getBoundingClientRect().width)}px wide, not ${width}px`);
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const name = (el) => (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  for (const table of document.querySelectorAll('table')) {
    if (!shown(table)) continue;
    let scroller = table.parentElement;
    while (scroller && !scrolls(scroller)) scroller = scroller.parentElement;
    const scrollable = scroller && scroller.scrollWidth > scroller.clientWidth + 1;
    const rows = [...table.tBodies].flatMap((body) => [...body.rows]).slice(0, 3);
    // Our pages keep the first column in view; Django's admin changelist scrolls as Django made it.
    if (scrollable && rows.length && table.closest('main#main')) {
      const first = rows[0].cells[0];
      if (getComputedStyle(first).position !== 'sticky')
        problems.push(`table "${name(table.caption || table)}" scrolls but its first column does not stay`);
    }
    for (const row of rows) {
      for (const cell of row.cells) {
        if (!shown(cell)) continue;
        if (cell.scrollWidth > cell.clientWidth + 1)
          problems.push(`cell "${name(cell)}" is cut (${cell.scrollWidth}px of text in ${cell.clientWidth}px)`);
        const box = cell.getBoundingClientRect();
        if ((box.right > width + 1 || box.left < -1) && !scrollable)
          problems.push(`cell "${name(cell)}" lies outside the window and nothing scrolls to it`);
        if (cell.matches('.figure-cell')) {
          const figure = cell.firstChild;
          if (figure && figure.nodeType === Node.TEXT_NODE && figure.textContent.trim()) {
            const range = document.createRange();
            range.selectNodeContents(figure);
            const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
            if (lines.size > 1) problems.push(`figure "${name(cell)}" breaks across lines`);
          }
        }
      }
    }
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!shown(svg)) continue;
    const frame = svg.getBoundingClientRect();
    const inBox = svg.parentElement && scrolls(svg.parentElement);  // a chart too wide for a phone scrolls in its box
    if (frame.right > width + 1 && !inBox) problems.push(`chart "${svg.getAttribute('aria-label')}" is cut`);
    for (const text of svg.querySelectorAll('text')) {
      const box = text.getBoundingClientRect();
      if (box.width === 0) continue;
      const outside = box.left < frame.left - 1 || box.right > frame.right + 1;
      if (outside || box.top < frame.top - 1 || box.bottom > frame.bottom + 1)
        problems.push(`text "${name(text)}" of chart "${svg.getAttribute('aria-label')}" is cut by its frame`);
    }
  }
  return problems;
}"""


def app_pages():
    """(name, path) of every page a logged-in user can open: the URLconf's routes and the pages behind them."""
    pages = [(name, path) for name, path in app_urls()]
    pages += [(f"dashboard-{slug}", reverse("operations:operation_detail", args=[slug])) for slug in DASHBOARDS]
    pages += [
        ("dashboard-unnamed", None),  # filled in with the operation that names no country (no slug known up front)
        ("country-small", reverse("operations:country_detail", args=["bb"])),
        (
            "compare-three",
            reverse("operations:compare") + "?operations=libertad&operations=weka-ii&operations=turquesa-iii",
        ),
        ("operations-filtered", reverse("operations:operation_list") + "?region=Americas&sort=-victims_rescued"),
        ("not-found", "/operations/no-such-operation/"),
    ]
    return pages


def admin_pages(operation):
    version = operation.history.order_by("history_id").first()
    return [
        ("admin-index", reverse("admin:index")),
        ("admin-operations", reverse("admin:operations_operation_changelist")),
        ("admin-operation-change", reverse("admin:operations_operation_change", args=[operation.pk])),
        ("admin-operation-add", reverse("admin:operations_operation_add")),
        ("admin-operation-history", reverse("admin:operations_operation_history", args=[operation.pk])),
        (
            "admin-operation-version",
            reverse("admin:operations_operation_simple_history", args=[operation.pk, version.history_id]),
        ),
        ("admin-import", reverse("admin:operations_operation_import")),
        ("admin-deleted", reverse("admin:operations_operation_deleted")),
        ("admin-countries", reverse("admin:operations_country_changelist")),
        ("admin-figures", reverse("admin:operations_reportedfigure_changelist")),
    ]


class Matrix:
    """Visits pages in one browser context and collects what is wrong with each, with a screenshot of each."""

    def __init__(self, page, base_url, width_name):
        self.page, self.base_url, self.width_name = page, base_url, width_name
        self.problems = []
        (ARTIFACTS / "matrix").mkdir(parents=True, exist_ok=True)

    def check(self, name, language, path=None):
        if path is not None:
            self.page.goto(self.base_url + path)
        # The admin's collapsed fieldsets (the operation's reported figures) open, so their rows are checked too.
        self.page.evaluate("document.querySelectorAll('fieldset details').forEach((details) => details.open = true)")
        where = f"{self.width_name} {language} {name}"
        self.problems += [f"{where}: {problem}" for problem in self.page.evaluate(CHECK_LAYOUT)]
        for violation in self.axe_violations(language):
            if violation["impact"] in SERIOUS:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                self.problems.append(f"{where}: axe {violation['id']} ({violation['impact']}) at {targets}")
        safe = re.sub(r"[^a-z0-9-]+", "-", name.lower())
        path = ARTIFACTS / "matrix" / f"{safe}-{language}-{self.width_name}.jpeg"
        # JPEG: a third of a PNG's time for a long page, and small enough to keep every one as a CI artifact.
        self.page.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)

    def axe_violations(self, language):
        # Colour contrast, the slowest rule (two thirds of axe's time), depends on the colours and on what a width
        # shows, not on the language: it runs on the English pages at every width. Every other rule runs everywhere.
        rules = {} if language == "en" else {"color-contrast": {"enabled": False}}
        options = json.dumps({"resultTypes": ["violations"], "rules": rules})
        return self.page.evaluate(f"axe.run(document, {options}).then((results) => results.violations)")

    def check_account_menu(self):
        """The profile (API tokens) is reachable from the header at this width: in the folded menu on small screens."""
        toggler = self.page.locator("nav.navbar .navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            # The collapse has ended its animation: clicked while it still grew, the menu did not always stay open.
            self.page.locator("#nav-links.show").wait_for()
        self.page.locator(".navbar-account .dropdown-toggle").click()
        profile = self.page.locator(f".navbar-account a[href='{reverse('operations:profile')}']")
        try:
            profile.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeoutError:
            self.problems.append(f"{self.width_name}: the profile link cannot be reached from the header")
        self.page.reload()


def upload_import(page, base_url, row):
    """The admin import page with one operations file chosen and sent: a preview, or the table of its errors."""
    page.goto(base_url + reverse("admin:operations_operation_import"))
    page.locator("input[name='operations_file']").set_input_files(
        {"name": "operations.csv", "mimeType": "text/csv", "buffer": (IMPORT_HEADER + row).encode()}
    )
    page.locator("#import-form [type='submit']").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width_name", WIDTHS)
def test_every_page_in_every_language_fits_the_screen_and_passes_axe(seeded, live_server, browser, width_name):
    width, height = WIDTHS[width_name]
    User.objects.create_superuser(username="matrix-admin", password="matrix-pw-123")
    operation = Operation.objects.get(slug="libertad")
    unnamed = Operation.objects.filter(participations__isnull=True).order_by("pk").first()  # names no country
    pages = [(name, path or (unnamed.get_absolute_url() if unnamed else None)) for name, path in app_pages()]
    pages = [(name, path) for name, path in pages if path] + admin_pages(operation)

    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(path=AXE_SCRIPT)
    page = context.new_page()
    matrix = Matrix(page, live_server.url, width_name)
    for language in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        matrix.check("login", language, reverse("login"))
    page.locator("#id_username").fill("matrix-admin")  # by id: the last login page visited was in French
    page.locator("#id_password").fill("matrix-pw-123")
    page.locator("main form [type='submit']").click()
    page.wait_for_load_state()
    matrix.check_account_menu()
    for language in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for name, path in pages:
            matrix.check(name, language, path)
        upload_import(page, live_server.url, IMPORT_ROW)
        assert page.locator("#import-preview").is_visible()
        matrix.check("admin-import-preview", language)
        upload_import(page, live_server.url, IMPORT_BAD_ROW)
        assert page.locator("#import-errors").is_visible()
        matrix.check("admin-import-errors", language)
    context.close()
    assert not matrix.problems, "\n".join(matrix.problems)


def test_the_header_fits_where_its_links_unfold_in_every_language(transactional_db, live_server, browser):
    """The links fold into the menu below 1200 px: at 1200 the Spanish and French header (the longest) still fits.
    With the fold at 992 px the header widened those pages up to 1,262 px."""
    User.objects.create_superuser(username="header-admin", password="header-pw-123")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.locator("#id_username").fill("header-admin")
    page.locator("#id_password").fill("header-pw-123")
    page.locator("main form [type='submit']").click()
    page.wait_for_load_state()
    widths = {}
    for language in LANGUAGES:
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width in (1199, 1200):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(live_server.url + reverse("operations:operation_list"))
            folded = page.locator("nav.navbar .navbar-toggler").is_visible()
            widths[language, width] = (page.evaluate("document.scrollingElement.scrollWidth"), folded)
    context.close()
    assert widths == {(language, width): (width, width < 1200) for language in LANGUAGES for width in (1199, 1200)}
