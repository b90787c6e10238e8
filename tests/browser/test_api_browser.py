"""An analyst makes an API token on the profile page and reads the API docs page (Swagger UI under the CSP)."""

from django.contrib.auth.models import User


def test_analyst_makes_a_token_and_reads_the_api_docs(seeded, live_server, page, login, screenshot, console_errors):
    User.objects.create_user(username="analyst", password="analyst-pw-123")
    login("analyst", "analyst-pw-123")
    page.get_by_role("link", name="Your API tokens").click()  # in the footer at every width
    page.get_by_label("Name").fill("pandas notebook")
    page.get_by_role("button", name="Create a token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("tot_")
    screenshot("api-profile-new-token")
    # The token reads the API, from outside the browser's session.
    response = page.request.get(
        f"{live_server.url}/api/v1/results/?country=BR", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200 and response.json()["results"]
    page.locator("#cite-this summary").click()
    assert "[Data set]" in page.locator("#cite-this").inner_text()
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.locator(".opblock-summary-path").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/results/" in paths and "/api/v1/operations/{slug}/" in paths
    screenshot("api-docs")
    assert console_errors == []
