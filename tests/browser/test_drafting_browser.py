"""An editor pastes a release, corrects one proposal, rejects another, confirms, and reads the operation's dashboard
with the figures, their qualifiers and the words they come from."""

from django.contrib.auth.models import Group, User

from operations.models import Operation
from operations.roles import EDITORS

# A release written for this test (not a real one).
RELEASE = """Operation Synthetic Lantern: 312 suspects arrested

An INTERPOL-coordinated operation across 14 countries led to the arrest of 312 suspects and the rescue of nearly \
1,100 victims of trafficking, the organisation said on Tuesday.

Operation Synthetic Lantern took place from 3 to 9 May 2024. More than 900 officers carried out 45,000 checks at \
airports and border posts.

Police in Kenya rescued 140 victims, and in Ghana 27 people were arrested. An operational coordination unit was \
hosted in Nairobi.

Authorities also opened 58 new investigations and identified 2,300 irregular migrants."""


def test_editor_drafts_an_operation_from_a_pasted_release(seeded, live_server, page, login, screenshot, console_errors):
    editor = User.objects.create_user(username="editor", password="editor-pw-123", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    login("editor", "editor-pw-123")

    page.goto(f"{live_server.url}/admin/operations/operation/")
    page.get_by_role("link", name="New operation from a source").click()
    page.get_by_label("Paste the text").fill(RELEASE)
    screenshot("drafting-source")
    page.get_by_role("button", name="Read the source").click()
    page.wait_for_load_state()

    rows = page.locator("tbody.figure-proposal")
    assert rows.count() == 6
    assert page.locator("mark strong", has_text="nearly 1,100").count() == 1  # the quote is highlighted in the text
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("drafting-review-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("drafting-review-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    arrests = rows.filter(has_text="“312”")
    arrests.locator("input[name$='-value']").fill("313")  # the editor corrects one figure
    arrests.locator("select[name$='-qualifier']").select_option("at_least")
    rows.filter(has_text="“2,300”").locator("input[name$='-accept']").uncheck()  # and rejects another
    page.get_by_label("Publisher:").fill("Synthetic Agency")
    assert Operation.objects.filter(name="Synthetic Lantern").count() == 0  # nothing written before the confirm
    page.get_by_role("button", name="Confirm and save").click()
    page.wait_for_load_state()

    assert page.url.endswith(Operation.objects.get(name="Synthetic Lantern").get_absolute_url())
    cards = page.locator(".headline-cards")
    assert "at least 313" in cards.locator("[data-metric='arrests']").inner_text()
    assert "about 1,100" in cards.locator("[data-metric='victims_rescued']").inner_text()
    notes = page.locator(".figure-notes").inner_text()  # each figure's source, with the words it comes from
    assert "the rescue of nearly 1,100 victims of trafficking" in notes
    assert "Police in Kenya rescued 140 victims" in notes
    assert "—" in cards.locator("[data-metric='migrants_identified']").inner_text()
    assert "58" in cards.locator("[data-metric='investigations_opened']").inner_text()
    assert "Kenya" in page.locator("#countries-table").inner_text()
    screenshot("drafting-dashboard-after-confirm")
    assert console_errors == []
