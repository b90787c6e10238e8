"""An editor logs in, adds an operation with two countries and their figures through the admin, and finds it listed."""

from django.contrib.auth.models import Group, User

from operations.figures import Figure, Qualifier
from operations.models import Operation, Source
from operations.roles import EDITORS
from tests.helpers.pages import ARTIFACTS


def choose(page, container, text):
    """Pick `text` in a select2 autocomplete (the admin's autocomplete_fields widget)."""
    container.click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_editor_adds_an_operation_with_two_countries_and_sees_it_listed(
    seeded, live_server, page, login, screenshot, console_errors
):
    editor = User.objects.create_user(username="editor", password="editor-pw-123", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    Source.objects.create(publisher="Synthetic Agency", title="Synthetic release", url="https://example.org/synthetic")
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    login("editor", "editor-pw-123")

    page.goto(f"{live_server.url}/admin/operations/operation/add/")
    page.get_by_label("Name:").fill("Synthetic Operation Browser")
    page.get_by_label("Coordinator:").click()  # leaving the name fills the slug (prepopulated_fields)
    assert page.get_by_label("Slug:").input_value() == "synthetic-operation-browser"
    page.get_by_label("Start date:").fill("2025-02-03")
    page.get_by_label("End date:").fill("2025-02-14")
    page.locator("#id_figure_victims_rescued").fill("nearly 500")
    page.locator("#id_figure_arrests").fill("120")
    choose(page, page.locator(".field-figures_source .select2-selection"), "Synthetic Agency")

    choose(page, page.locator("#participations-0 .field-country .select2-selection"), "Brazil")
    page.locator("#id_participations-0-figure_arrests").fill("70")
    page.locator("#participations-group .add-row a").click()
    choose(page, page.locator("#participations-1 .field-country .select2-selection"), "Argentina")
    page.locator("#id_participations-1-role").select_option("command_centre")
    page.locator("#id_participations-1-figure_victims_rescued").fill("about 200")
    page.locator("#id_change_reason").fill("Synthetic entry for the browser test")
    screenshot("admin-operation-add-filled")
    page.locator("input[name='_save']").click()
    page.wait_for_load_state()

    assert "was added successfully" in page.locator(".messagelist").inner_text()
    row = page.locator("#result_list tr", has_text="Synthetic Operation Browser")
    assert "about 500" in row.inner_text()
    screenshot("admin-changelist-after-add")

    operation = Operation.objects.get(name="Synthetic Operation Browser")
    assert operation.participations.count() == 2
    assert operation.participations.get(country__iso2="AR").figure("victims_rescued") == Figure(200, Qualifier.APPROX)
    assert operation.history.first().history_user == editor

    page.goto(f"{live_server.url}/")
    home_row = page.locator("tr[data-slug='synthetic-operation-browser']")
    assert home_row.locator("td[data-metric='victims_rescued']").inner_text() == "about 500"
    assert home_row.locator("td[data-metric='arrests']").inner_text() == "120"
    screenshot("home-after-admin-add")

    page.goto(f"{live_server.url}/operations/?q=Synthetic+Operation+Browser")
    list_row = page.locator("tr[data-slug='synthetic-operation-browser']")
    assert list_row.locator("td[data-metric='victims_rescued']").inner_text() == "about 500"
    screenshot("operations-list-after-admin-add")

    list_row.get_by_role("link", name="Synthetic Operation Browser").click()
    page.wait_for_load_state()
    assert page.url.endswith("/operations/synthetic-operation-browser/")
    assert (
        page.locator(".figure-card[data-metric='victims_rescued'] .figure-headline")
        .inner_text()
        .startswith("about 500")
    )
    assert page.locator("#countries-table tr[data-iso2='BR']").is_visible()
    assert "command centre" in page.locator("#countries-table tr[data-iso2='AR']").inner_text()
    assert page.locator("#last-correction").inner_text().endswith("by editor.")
    screenshot("dashboard-after-admin-add")
    assert missing == []
    assert console_errors == []


def test_second_of_two_open_forms_is_refused_with_what_changed_and_history_shows_it(
    seeded, live_server, page, browser, login, screenshot
):
    for username in ("editor", "second-editor"):
        user = User.objects.create_user(username=username, password=f"{username}-pw-123", is_staff=True)
        user.groups.add(Group.objects.get(name=EDITORS))
    login("editor", "editor-pw-123")
    # The second editor in a browser context of their own (own cookies, own session).
    second_context = browser.new_context()
    other = second_context.new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Username").fill("second-editor")
    other.get_by_label("Password").fill("second-editor-pw-123")
    other.get_by_role("button", name="Log in").click()
    other.wait_for_load_state()
    operation = Operation.objects.get(name="Operation Weka II")
    url = f"{live_server.url}/admin/operations/operation/{operation.pk}/change/"
    page.goto(url)
    other.goto(url)
    assert "WELCOME, SECOND-EDITOR" in other.locator("#user-tools").inner_text().upper()

    page.get_by_label("Coordinator:").fill("INTERPOL (Synthetic correction A)")
    page.locator("#id_change_reason").fill("Synthetic reason A")
    page.locator("input[name='_save']").click()
    page.wait_for_load_state()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    other.get_by_label("Coordinator:").fill("INTERPOL (Synthetic correction B)")
    other.locator("input[name='_save']").click()
    other.wait_for_load_state()
    refusal = other.locator(".errornote + ul.errorlist, ul.errorlist.nonfield").first.inner_text()
    assert "NOT saved" in refusal and "Synthetic correction A" in refusal and "by editor" in refusal
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(ARTIFACTS / "admin-concurrent-edit-refused.png"))
    operation.refresh_from_db()
    assert operation.coordinator == "INTERPOL (Synthetic correction A)"

    second_context.close()

    page.goto(f"{url.removesuffix('change/')}history/")
    assert "Synthetic reason A" in page.locator("#change-history").inner_text()
    screenshot("admin-operation-history")
