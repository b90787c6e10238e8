""" "New operation from a source" in the admin: read, review, confirm; nothing written before the confirm; an
existing operation gets conflicting reports, not overwrites; bad input is a form error, never a 500."""

import datetime

import pytest
from django.urls import reverse

from operations.figures import Qualifier
from operations.models import Operation, Participation, ReportedFigure, Role, Source

pytestmark = pytest.mark.django_db

DRAFT = reverse("admin:operations_operation_draft")

# A release written for these tests (not a real one).
RELEASE = """Operation Synthetic Harbour: 312 suspects arrested

LYON, France – An INTERPOL-coordinated operation across 14 countries led to the arrest of 312 suspects and the rescue \
of nearly 1,100 victims of trafficking, the organisation said on Tuesday.

Operation Synthetic Harbour took place from 3 to 9 May 2024. More than 900 officers carried out 45,000 checks at \
airports and border posts.

Police in Kenya rescued 140 victims, and in Ghana 27 people were arrested. An operational coordination unit was \
hosted in Nairobi.

Authorities also opened 58 new investigations and identified 2,300 irregular migrants."""


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value.pk if hasattr(value, "pk") else value)


def review_data(response, **changes):
    """The POST an unchanged confirm of the review page sends, with `changes` applied ("figures-0-value": ...)."""
    data = {"review": "1", "confirm": "1"}
    for form in (response.context["review"],):
        for name in form.fields:
            data[form.add_prefix(name)] = _value(form[name])
    for formset in (response.context["figure_forms"], response.context["country_forms"]):
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        for form in formset.forms:
            for name in form.fields:
                data[form.add_prefix(name)] = _value(form[name])
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def proposals(response):
    return [
        (form["metric"].value(), form["value"].value(), form["qualifier"].value(), form["country"].value())
        for form in response.context["figure_forms"].forms
    ]


def test_review_page_proposes_every_figure_country_and_the_period(editor_client):
    response = editor_client.post(DRAFT, {"text": RELEASE})
    assert response.status_code == 200
    assert sorted(proposals(response)) == sorted(
        [
            ("arrests", 312, "exact", ""),
            ("victims_rescued", 1100, "approx", ""),
            ("victims_rescued", 140, "exact", "KE"),
            ("arrests", 27, "exact", "GH"),
            ("investigations_opened", 58, "exact", ""),
            ("migrants_identified", 2300, "exact", ""),
        ]
    )
    review = response.context["review"]
    assert review["name"].value() == "Synthetic Harbour"
    assert review["start_date"].value() == datetime.date(2024, 5, 3)
    assert review["end_date"].value() == datetime.date(2024, 5, 9)
    assert review["countries_reported"].value() == 14
    countries = {form["country"].value(): form["role"].value() for form in response.context["country_forms"].forms}
    assert countries == {"KE": "command_centre", "GH": "participant"}
    html = response.content.decode()
    assert '<mark id="stated-' in html and "<strong>nearly 1,100</strong>" in html


def test_nothing_is_written_until_the_editor_confirms(editor_client):
    counts = (Operation.objects.count(), ReportedFigure.objects.count(), Source.objects.count())
    editor_client.post(DRAFT, {"text": RELEASE})
    assert (Operation.objects.count(), ReportedFigure.objects.count(), Source.objects.count()) == counts


def test_confirm_writes_the_accepted_edited_figures_with_history_and_skips_the_rejected(editor_client, editor):
    response = editor_client.post(DRAFT, {"text": RELEASE})
    rows = proposals(response)
    arrests = next(i for i, row in enumerate(rows) if row[:2] == ("arrests", 312))
    migrants = next(i for i, row in enumerate(rows) if row[0] == "migrants_identified")
    data = review_data(
        response,
        **{
            f"figures-{arrests}-value": "313",  # the editor corrects one figure
            f"figures-{arrests}-qualifier": Qualifier.AT_LEAST,
            "source_publisher": "Synthetic Agency",
            "source_url": "https://example.org/synthetic-harbour",
        },
    )
    data.pop(f"figures-{migrants}-accept")  # and rejects another
    response = editor_client.post(DRAFT, data)
    operation = Operation.objects.get(name="Synthetic Harbour")
    assert response.status_code == 302 and response["Location"] == operation.get_absolute_url()
    assert (operation.arrests, operation.arrests_qualifier) == (313, Qualifier.AT_LEAST)
    assert (operation.victims_rescued, operation.victims_rescued_qualifier) == (1100, Qualifier.APPROX)
    assert operation.migrants_identified is None
    assert operation.start_date == datetime.date(2024, 5, 3) and operation.countries_reported == 14
    kenya = Participation.objects.get(operation=operation, country__iso2="KE")
    assert kenya.role == Role.COMMAND_CENTRE and kenya.victims_rescued == 140
    quote = ReportedFigure.objects.get(operation=operation, participation=kenya)
    assert "Police in Kenya rescued 140 victims" in quote.quote and quote.stated_as == "140"
    history = operation.history.first()
    assert history.history_change_reason == "drafted from https://example.org/synthetic-harbour"
    assert history.history_user == editor
    figure_reasons = set(
        ReportedFigure.history.filter(operation_id=operation.pk).values_list("history_change_reason", flat=True)
    )
    assert figure_reasons == {"drafted from https://example.org/synthetic-harbour"}
    assert operation.sources.get().publisher == "Synthetic Agency"


def test_an_existing_operation_gets_conflicting_reports_not_overwrites(editor_client):
    existing = Operation.objects.create(name="Operation Synthetic Harbour", slug="synthetic-harbour")
    first = Source.objects.create(publisher="First agency", url="https://example.org/first")
    from operations import services
    from operations.figures import Figure

    services.record_figure(operation=existing, metric="arrests", figure=Figure(300), source=first)
    response = editor_client.post(DRAFT, {"text": RELEASE})
    assert response.context["review"]["operation"].value() == existing.pk
    response = editor_client.post(DRAFT, review_data(response, source_publisher="Second agency"))
    assert response.status_code == 302
    assert Operation.objects.filter(name__icontains="Synthetic Harbour").count() == 1
    existing.refresh_from_db()
    assert existing.arrests == 300  # the preferred value stays
    reports = sorted(
        ReportedFigure.objects.filter(operation=existing, metric="arrests", participation=None).values_list(
            "value", "is_preferred"
        )
    )
    assert reports == [(300, True), (312, False)]
    assert existing.victims_rescued == 1100  # a figure it did not have is added


def test_an_invalid_review_writes_nothing_and_shows_the_errors(editor_client):
    response = editor_client.post(DRAFT, {"text": RELEASE})
    data = review_data(response, **{"figures-0-value": "-5", "source_publisher": "Synthetic Agency"})
    count = ReportedFigure.objects.count()
    response = editor_client.post(DRAFT, data)
    assert response.status_code == 400
    assert ReportedFigure.objects.count() == count and not Operation.objects.filter(name="Synthetic Harbour").exists()
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"text": ""}, "Paste a text, upload a page or give an address"),
        ({"text": "   \n  "}, "Paste a text, upload a page or give an address"),
        ({"url": "ftp://example.org/release.txt"}, "Only http and https"),
        ({"url": "http://127.0.0.1:9/release.html"}, "not on the public internet"),
        ({"url": "http://[::1]/release.html"}, "not on the public internet"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "not on the public internet"),
        ({"url": "http://10.0.0.8/"}, "not on the public internet"),
        ({"url": "http://localhost/"}, "not on the public internet"),
        ({"text": "a", "url": "https://example.org/"}, "one source at a time"),
    ],
)
def test_bad_sources_are_form_errors_never_500(editor_client, data, words):
    response = editor_client.post(DRAFT, data)
    assert response.status_code == 400
    assert words in response.content.decode()


def test_binary_and_oversized_uploads_are_refused(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    binary = SimpleUploadedFile("release.pdf", b"%PDF-1.7\x00\x01\x02binary", content_type="application/pdf")
    response = editor_client.post(DRAFT, {"file": binary})
    assert response.status_code == 400 and "not a web page or a text" in response.content.decode()
    big = SimpleUploadedFile("page.html", b"<html><body>" + b"x" * (5 * 1024 * 1024) + b"</body></html>", "text/html")
    response = editor_client.post(DRAFT, {"file": big})
    assert response.status_code == 400 and "the largest accepted is 2 MB" in response.content.decode()


def test_a_saved_page_upload_gives_title_publisher_and_date_from_its_metadata(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    html = f"""<html lang="en"><head><title>Harbour results</title>
    <meta property="og:title" content="Operation Synthetic Harbour results">
    <meta property="og:site_name" content="Synthetic Agency">
    <meta property="article:published_time" content="2024-05-20T09:00:00Z"></head>
    <body><nav>Home | News</nav><article>{"".join(f"<p>{p}</p>" for p in RELEASE.split(chr(10) + chr(10)))}</article>
    <footer>Contact us</footer></body></html>"""
    upload = SimpleUploadedFile("harbour.html", html.encode(), content_type="text/html")
    response = editor_client.post(DRAFT, {"file": upload})
    assert response.status_code == 200
    review = response.context["review"]
    assert review["source_publisher"].value() == "Synthetic Agency"
    assert review["source_published"].value() == datetime.date(2024, 5, 20)
    assert "Synthetic Harbour" in review["source_title"].value()
    assert ("arrests", 312, "exact", "") in proposals(response)


def test_a_text_without_figures_is_shown_for_entry_by_hand(editor_client):
    text = "Ministers met in a synthetic city today to discuss cooperation against trafficking in persons."
    response = editor_client.post(DRAFT, {"text": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No figures found" in html and text in html
    assert not Operation.objects.filter(name__icontains="synthetic").exists()


def test_a_tampered_review_without_its_text_goes_back_to_the_start(editor_client):
    response = editor_client.post(DRAFT, {"review": "1", "confirm": "1", "text": ""})
    assert response.status_code == 302 and response["Location"] == DRAFT


def test_a_text_with_two_operations_can_review_the_second(editor_client):
    text = (
        "Operation Synthetic Kite led to 61 arrests in June. It follows Operation Synthetic Falcon, which in 2022 "
        "had rescued 240 victims."
    )
    response = editor_client.post(DRAFT, {"text": text})
    assert [op.name for _, op in response.context["operations"]] == ["Synthetic Kite", "Synthetic Falcon"]
    data = review_data(response, source_publisher="Synthetic Agency")
    data.pop("confirm")
    data["switch"] = "1"
    response = editor_client.post(DRAFT, data)
    assert response.context["review"]["name"].value() == "Synthetic Falcon"
    assert proposals(response) == [("victims_rescued", 240, "exact", "")]


def test_only_editors_reach_the_drafting_page(client, analyst):
    client.force_login(analyst)
    assert client.get(DRAFT).status_code == 302  # the admin's login page


def test_a_name_without_its_edition_year_matches_the_edition_whose_dates_fit():
    from operations.drafting.services import matching_operations

    for year, day in ((2023, 8), (2024, 3)):
        Operation.objects.create(
            name=f"Operation Synthetic Chain {year}",
            slug=f"synthetic-chain-{year}",
            start_date=datetime.date(year, 6, day),
            year=year,
        )
    Operation.objects.create(name="Operation Synthetic Chain Reaction", slug="synthetic-chain-reaction")
    assert [op.year for op in matching_operations("Synthetic Chain", "06-03", None)] == [2024, 2023]
    assert [op.year for op in matching_operations("Synthetic Chain", None, 2023)] == [2023, 2024]
    assert matching_operations("Synthetic Chain II") == []
