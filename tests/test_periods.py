"""An operation's period reads the same on every page, at the precision its sources give (periods.operation_period)."""

import re

import pytest

from tests.helpers.pages import text

pytestmark = pytest.mark.django_db


def period_cell(html, slug):
    row = re.search(rf'<tr data-slug="{slug}"[^>]*>(.*?)</tr>', html, re.S)[1]
    return text(re.findall(r'<td class="small text-nowrap">(.*?)</td>', row, re.S)[0])


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "May–June 2023"), ("es", "mayo–junio de 2023"), ("fr", "mai–juin 2023")]
)
def test_a_month_precision_operation_shows_its_months_on_the_list_compare_and_dashboard(
    analyst_client, language, expected
):
    """FLASH-WEKA's sources give May-June 2023: no page invents days ("2023-05-01 – 2023-06-30" was the list's)."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    listing = analyst_client.get("/operations/?year_from=2023&year_to=2023", **headers).content.decode()
    compare = analyst_client.get("/compare/?operations=flash-weka&operations=weka-ii", **headers).content.decode()
    dashboard = analyst_client.get("/operations/flash-weka/", **headers).content.decode()
    assert period_cell(listing, "flash-weka") == expected
    assert f"<td>{expected}</td>" in compare
    assert expected in text(re.search(r'id="period">(.*?)</dd>', dashboard, re.S)[1])
    assert "2023-05-01" not in listing + compare + dashboard


def test_a_day_precision_period_breaks_after_a_spaced_dash_only(analyst_client):
    html = analyst_client.get("/operations/?year_from=2022&year_to=2022").content.decode()
    assert period_cell(html, "weka-ii") == "12–17 June 2022"
    assert "24 June – <br>4 July 2022" in html  # across two months: one date per line
