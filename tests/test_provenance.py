"""Every figure on a dashboard and on /compare/ leads to its footnote: the preferred report's source (linked), the
source's own phrase and the quote that states it, then the conflicting reports with theirs; one wording per qualifier
on every page; per-country figures keep their qualifiers in every table, total and export."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from operations import services
from operations.figures import Figure, Qualifier
from operations.models import Country, Operation, Participation, Source

from .helpers.pages import cells, figure_notes, note_numbers, text
from .helpers.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.TRACKER_CACHE_SECONDS = 0


def source(key, **fields):
    return Source.objects.create(
        **{
            "publisher": f"Synthetic {key}",
            "title": f"Synthetic release {key}",
            "url": f"https://example.org/synthetic/{key}",
            "published": datetime.date(2030, 2, 3),
            "language": "en",
            "key": f"synthetic-{key}",
            **fields,
        }
    )


def report(operation, metric, figure, from_source, *, stated_as, quote, participation=None, preferred=None):
    """A figure as one source reports it, with the phrase and the sentence the source prints."""
    reported = services.record_figure(
        operation=operation,
        participation=participation,
        metric=metric,
        figure=figure,
        source=from_source,
        quote=quote,
        preferred=preferred,
    )
    reported.stated_as = stated_as
    reported.save(update_fields=["stated_as"])
    return reported


@pytest.fixture
def operation():
    """A synthetic operation whose victims three sources report (one preferred), and one country's arrests."""
    operation = Operation.objects.create(
        name="Synthetic Operation Provenance",
        slug="synthetic-provenance",
        year=2099,
        start_date=datetime.date(2099, 1, 1),
    )
    agency, wire, paper = source("agency", is_primary=True), source("wire"), source("paper", language="es")
    report(
        operation,
        "victims_rescued",
        Figure(700, Qualifier.APPROX),
        agency,
        stated_as="nearly 700",
        quote="Police rescued nearly 700 synthetic victims across 44 countries.",
        preferred=True,
    )
    report(
        operation,
        "victims_rescued",
        Figure(700),
        wire,
        stated_as="700",
        quote="Some reports said 700 synthetic victims were freed.",
        preferred=False,
    )
    report(
        operation,
        "victims_rescued",
        Figure(650, Qualifier.MORE_THAN),
        paper,
        stated_as="más de 650",
        quote="Más de 650 víctimas sintéticas fueron rescatadas.",
        preferred=False,
    )
    brazil = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    report(
        operation,
        "arrests",
        Figure(32, Qualifier.AT_LEAST),
        paper,
        participation=brazil,
        stated_as="al menos 32",
        quote="En Brasil, al menos 32 personas sintéticas fueron detenidas.",
    )
    return operation


def dashboard(client, slug):
    return client.get(reverse("operations:operation_detail", args=[slug])).content.decode()


def card(html, metric):
    return re.search(rf'data-metric="{metric}">(.*?)</div>\s*</div>\s*</div>', html, re.S).group(1)


def test_a_headline_figure_leads_to_its_source_its_phrase_and_the_quote_that_states_it(analyst_client, operation):
    html = dashboard(analyst_client, operation.slug)
    victims = card(html, "victims_rescued")
    (number,) = note_numbers(victims)
    preferred = figure_notes(html)[number].split("<details>")[0]

    assert text(victims).startswith("Victims rescued about 700")
    assert text(preferred).startswith("Victims rescued: about 700")
    assert "“nearly 700”" in preferred
    assert '<a href="https://example.org/synthetic/agency">Synthetic agency: Synthetic release agency</a>' in preferred
    assert "3 February 2030" in preferred
    quote = "Police rescued nearly 700 synthetic victims across 44 countries."
    assert f'<blockquote lang="en">{quote}</blockquote>' in preferred


def test_the_conflicting_reports_are_listed_with_their_sources_and_quotes_and_the_preferred_one_is_marked(
    analyst_client, operation
):
    html = dashboard(analyst_client, operation.slug)
    (number,) = note_numbers(card(html, "victims_rescued"))
    preferred, _, others = figure_notes(html)[number].partition("<details>")

    assert "preferred" in text(preferred)
    assert "<summary>2 other reports</summary>" in others
    items = re.findall(r"<li>(.*?)</li>", others, re.S)
    assert len(items) == 2
    assert "“700”" in items[0] and "example.org/synthetic/wire" in items[0] and "Some reports said 700" in items[0]
    assert "“más de 650”" in items[1] and '<blockquote lang="es">Más de 650' in items[1]
    assert "preferred" not in text(others)
    # The cell names the other values, each once, not the one it shows.
    assert text(card(html, "victims_rescued")).endswith("also reported: 700, more than 650")


def test_a_country_figure_keeps_its_qualifier_and_leads_to_its_own_source(analyst_client, operation):
    html = dashboard(analyst_client, operation.slug)
    row = re.search(r'<tr data-iso2="BR">(.*?)</tr>', html, re.S).group(1)
    (number,) = note_numbers(row)
    note = figure_notes(html)[number]

    assert "at least 32" in text(row)
    assert text(note).startswith("Arrests, Brazil: at least 32")
    assert "“al menos 32”" in note and "En Brasil, al menos 32 personas" in note
    assert "<details>" not in note and "preferred" not in text(note)  # a single report needs no mark


def test_a_figure_no_source_reports_has_no_footnote(analyst_client, operation):
    html = dashboard(analyst_client, operation.slug)
    investigations = card(html, "investigations_opened")

    assert text(investigations) == "Investigations opened —"
    assert note_numbers(investigations) == []
    assert len(figure_notes(html)) == 2  # victims, and Brazil's arrests


def test_footnotes_are_numbered_in_the_order_the_page_shows_their_figures(analyst_client, operation):
    html = dashboard(analyst_client, operation.slug)
    first_use = list(dict.fromkeys(note_numbers(html.split('id="figure-notes-heading"')[0])))

    assert first_use == sorted(figure_notes(html)) == [1, 2]


def test_quotes_phrases_and_sources_are_escaped(analyst_client, operation):
    hostile = source("hostile", publisher="<script>alert(1)</script>", url="https://example.org/x?a=1&b=<2>")
    report(
        operation,
        "investigations_opened",
        Figure(3),
        hostile,
        stated_as="<b>three</b>",
        quote='Three "investigations" <img src=x onerror=alert(1)> opened.',
    )
    html = dashboard(analyst_client, operation.slug)

    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>three</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://example.org/x?a=1&amp;b=&lt;2&gt;"' in html


def test_the_footnotes_cost_no_query_per_report(analyst_client, operation):
    url = reverse("operations:operation_detail", args=[operation.slug])
    with CaptureQueriesContext(connection) as before:
        analyst_client.get(url)
    more = [source(f"more-{i}") for i in range(6)]
    for country in Country.objects.exclude(iso2="BR").order_by("iso2")[:5]:
        participation = Participation.objects.create(operation=operation, country=country)
        for i, other in enumerate(more):
            report(
                operation,
                "victims_rescued",
                Figure(10 + i),
                other,
                participation=participation,
                stated_as=str(10 + i),
                quote=f"{10 + i} synthetic victims.",
            )
    with CaptureQueriesContext(connection) as after:
        html = analyst_client.get(url).content.decode()

    assert len(figure_notes(html)) == 7
    assert len(after) == len(before)


# --- /compare/ -----------------------------------------------------------------------------------------------------


def test_compare_gives_each_figure_its_footnote_with_phrase_quote_and_other_reports(analyst_client, operation):
    other = Operation.objects.create(name="Synthetic Operation Other", slug="synthetic-other", year=2098)
    report(
        other,
        "victims_rescued",
        Figure(250, Qualifier.AT_LEAST),
        source("other"),
        stated_as="250+",
        quote="250+ synthetic victims were safeguarded.",
    )
    html = analyst_client.get(
        reverse("operations:compare"), {"operations": [operation.slug, other.slug]}
    ).content.decode()
    victims = html.split('<tr data-metric="victims_rescued">', 1)[1].split("</tr>", 1)[0]
    first, second = re.findall(r"<td[^>]*>(.*?)</td>", victims, re.S)
    notes = figure_notes(html)

    assert text(first).startswith("about 700") and text(second).startswith("at least 250")
    ((mine,), (theirs,)) = note_numbers(first), note_numbers(second)
    assert text(notes[mine]).startswith("Victims rescued, Synthetic Operation Provenance: about 700")
    assert "“nearly 700”" in notes[mine] and "<summary>2 other reports</summary>" in notes[mine]
    assert text(notes[theirs]).startswith("Victims rescued, Synthetic Operation Other: at least 250")
    assert "“250+”" in notes[theirs] and "250+ synthetic victims were safeguarded." in notes[theirs]


# --- One wording per qualifier, everywhere ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "shown"),
    [
        (Figure(4000, Qualifier.APPROX), "about 4,000"),
        (Figure(250, Qualifier.AT_LEAST), "at least 250"),
        (Figure(10000, Qualifier.MORE_THAN), "more than 10,000"),
    ],
)
def test_a_figure_reads_the_same_on_every_page(analyst_client, figure, shown):
    operation = Operation.objects.create(name="Synthetic Operation Wording", slug="synthetic-wording", year=2099)
    other = Operation.objects.create(name="Synthetic Operation Else", slug="synthetic-else", year=2099)
    report(operation, "migrants_identified", figure, source("wording"), stated_as="as printed", quote="Synthetic.")
    pages = {
        "list": cells(analyst_client.get("/operations/", {"year_from": 2099}), "migrants_identified"),
        "overview": text(
            re.search(
                r'<tr data-slug="synthetic-wording">(.*?)</tr>',
                analyst_client.get("/", {"year_from": 2099}).content.decode(),
                re.S,
            ).group(1)
        ),
        "dashboard": text(card(dashboard(analyst_client, operation.slug), "migrants_identified")),
        "compare": text(
            analyst_client.get("/compare/", {"operations": [operation.slug, other.slug]})
            .content.decode()
            .split('<tr data-metric="migrants_identified">', 1)[1]
            .split("</tr>", 1)[0]
        ),
    }

    assert shown in pages["list"]
    for page in ("overview", "dashboard", "compare"):
        assert shown in pages[page], page


# --- Per-country qualifiers in every table, total and export -----------------------------------------------------


def test_a_country_figure_keeps_its_qualifier_in_the_results_the_country_page_and_its_totals(analyst_client, operation):
    results = analyst_client.get("/results/", {"operation": operation.slug})
    country_page = analyst_client.get("/countries/br/").content.decode()
    row = re.search(r'<tr [^>]*data-operation="synthetic-provenance"[^>]*>(.*?)</tr>', country_page, re.S).group(1)
    totals = country_page.split('id="country-totals"', 1)[1].split("<table", 1)[0]

    assert cells(results, "arrests") == ["at least 32"]
    assert "at least 32" in text(re.search(r'data-metric="arrests">(.*?)</td>', row, re.S).group(1))
    assert text(re.search(r'data-metric="arrests">(.*?)</div>', totals, re.S).group(1)).startswith("at least")


def read_export(response):
    content = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    header, *rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    return [{key: "" if value is None else str(value) for key, value in zip(header, row, strict=False)} for row in rows]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize("url", ["/results/?operation=synthetic-provenance", "/countries/br/?"])
def test_a_country_figure_keeps_its_qualifier_in_csv_and_xlsx(client, operation, url, export_format):
    client.force_login(make_user("staff"))
    rows = read_export(client.get(f"{url}&_export={export_format}"))
    (row,) = [row for row in rows if row["operation_slug"] == "synthetic-provenance"]

    assert (row["arrests"], row["arrests_qualifier"]) == ("32", "at_least")
    assert row["arrests_source_url"] == "https://example.org/synthetic/paper"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_countrys_total_keeps_the_qualifier_its_parts_give_it_in_the_countries_export(
    client, operation, export_format
):
    client.force_login(make_user("staff"))
    rows = read_export(client.get(f"/countries/?_export={export_format}"))
    (brazil,) = [row for row in rows if row["country_iso2"] == "BR"]

    assert brazil["arrests_qualifier"] == "at_least"


# --- Languages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["Víctimas rescatadas: alrededor de 700", "«nearly 700»", "3 de febrero de 2030", "2 informes más"]),
        ("fr", ["Victimes secourues : environ 700", "« nearly 700 »", "3 février 2030", "2 autres rapports"]),
    ],
)
def test_footnotes_speak_the_chosen_language(analyst_client, operation, language, words):
    html = analyst_client.get(
        reverse("operations:operation_detail", args=[operation.slug]), headers={"accept-language": language}
    ).content.decode()
    notes = " ".join(text(note) for note in figure_notes(html).values())

    for word in words:
        assert word in notes, word
    with translation.override(language):
        assert str(Figure(700, Qualifier.APPROX)) in notes


# --- The reference data (the vendored v2 package): the must-shows ---------------------------------------


def test_weka_ii_shows_nearly_700_with_its_source_and_quote_and_the_conflicting_reports(analyst_client):
    html = dashboard(analyst_client, "weka-ii")
    victims = card(html, "victims_rescued")
    (number,) = note_numbers(victims)
    preferred, _, others = figure_notes(html)[number].partition("<details>")

    assert text(victims).startswith("Victims rescued about 700")
    # The preferred report: INTERPOL's own (French) release, its phrase and its sentence.
    assert "“près de 700”" in preferred and "preferred" in text(preferred)
    assert 'href="https://www.interpol.int/fr/' in preferred
    assert '<blockquote lang="fr">Les autorités de 44 pays ont secouru près de 700 victimes' in preferred
    # The English wire copy that says "nearly 700", with its page and the sentence that states it, and the others.
    nearly = next(item for item in re.findall(r"<li>(.*?)</li>", others, re.S) if "“nearly 700”" in item)
    assert 'href="https://rajawalisiber.com/' in nearly
    assert "have rescued nearly 700 victims of human trafficking." in nearly
    assert "“almost 700”" in others and "the rescue of almost 700 people" in others


def test_libertads_victims_show_their_five_reports_with_the_preferred_one_marked(analyst_client):
    html = dashboard(analyst_client, "libertad")
    (number,) = note_numbers(card(html, "victims_rescued"))
    preferred, _, others = figure_notes(html)[number].partition("<details>")

    assert text(preferred).startswith("Victims rescued: about 350")
    assert '>preferred</span> <span class="stated-as">“nearly 350”</span>' in preferred
    assert "<summary>4 other reports</summary>" in others
    phrases = re.findall(r'<span class="stated-as">(.*?)</span>', others)
    assert sorted(phrases) == sorted(["“350”", "“Al menos 350”", "“A total of 350”", "“Nearly 350”"])
    assert "preferred" not in text(others)


def test_the_unnamed_americas_press_report_shows_as_unverified_on_the_operations_list(analyst_client):
    html = analyst_client.get("/operations/", {"q": "Unnamed"}).content.decode()
    row = re.search(r'<tr [^>]*data-slug="unnamed-americas-press-report"[^>]*>(.*?)</tr>', html, re.S).group(1)

    assert re.search(r'<span class="badge text-bg-warning unverified-badge"[^>]*>unverified</span>', row)
