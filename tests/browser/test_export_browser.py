"""A Staff user exports the filtered results from the toolbar; an analyst sees no Export button; the data dictionary."""

import csv
import io

from django.contrib.auth.models import Group, User

from operations.models import ExportLog, Participation
from operations.roles import ANALYSTS, STAFF


def test_staff_exports_the_filtered_results_and_reads_the_data_dictionary(
    seeded, live_server, page, login, screenshot, console_errors
):
    user = User.objects.create_user(username="staff", password="staff-pw-123")
    user.groups.add(Group.objects.get(name=STAFF))
    login("staff", "staff-pw-123")

    page.goto(f"{live_server.url}/results/?country=BR&sort=-arrests&per_page=25")
    export = page.get_by_role("link", name="Export CSV")
    assert export.is_visible()
    assert "country=BR" in export.get_attribute("href") and "sort=-arrests" in export.get_attribute("href")
    screenshot("export-01-results-toolbar")

    with page.expect_download() as download_info:
        export.click()
    download = download_info.value
    assert download.suggested_filename.startswith("results_country-BR_") and download.suggested_filename.endswith(
        ".csv"
    )
    content = open(download.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert len(rows) == Participation.objects.filter(country__iso2="BR").count()
    assert {row["country_iso2"] for row in rows} == {"BR"}
    assert ExportLog.objects.get().row_count == len(rows)

    page.get_by_role("link", name="What the columns mean").click()
    page.wait_for_load_state()
    assert page.url.endswith("/about/data/")
    assert page.get_by_role("heading", name="Data dictionary").is_visible()
    assert page.locator("#dictionary-results code", has_text="victims_rescued_source_url").is_visible()
    screenshot("export-02-data-dictionary")
    assert console_errors == []


def test_analyst_sees_no_export_button(seeded, live_server, page, login):
    user = User.objects.create_user(username="analyst", password="analyst-pw-123")
    user.groups.add(Group.objects.get(name=ANALYSTS))
    login("analyst", "analyst-pw-123")
    page.goto(f"{live_server.url}/results/?country=BR")
    assert page.locator("#result-count").is_visible()
    assert page.get_by_role("link", name="Export CSV").count() == 0
