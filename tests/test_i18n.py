"""Interface language: chosen from Accept-Language, switchable and remembered; country names from pycountry."""

import ast
import csv
import html
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from operations import exports
from operations.countries import normalize_name
from operations.figures import Figure, FigureParseError, Qualifier
from operations.models import Country

pytestmark = pytest.mark.django_db


def test_accept_language_picks_the_interface_language(analyst_client):
    response = analyst_client.get(reverse("operations:home"), headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in response.content.decode()


def test_the_switcher_sets_and_remembers_the_language(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.cookies["django_language"].value == "es"
    assert '<html lang="es"' in client.get(reverse("login")).content.decode()


def test_the_switcher_is_on_the_login_page_for_anonymous_users(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="language"' in html and 'value="fr"' in html


@pytest.mark.parametrize(("language", "expected"), [("en", "Brazil"), ("es", "Brasil"), ("fr", "Brésil")])
def test_country_names_follow_the_interface_language(language, expected):
    brazil = Country.objects.get(iso2="BR")
    with translation.override(language):
        assert str(brazil) == expected
    assert brazil.name == "Brazil"  # the stored English name never changes


@pytest.mark.parametrize(
    ("language", "iso2", "expected"),
    [
        ("es", "DZ", "Argelia"),  # pycountry's Spanish catalogue leaves it in English
        ("es", "CI", "Côte d’Ivoire"),  # pycountry: "Costa de Marfíl"
        ("es", "AG", "Antigua y Barbuda"),
        ("es", "RU", "Rusia"),  # pycountry: the official long form
        ("fr", "AG", "Antigua-et-Barbuda"),
        ("fr", "TC", "Îles Turques-et-Caïques"),
    ],
)
def test_country_names_come_from_the_cldr_where_pycountry_has_gaps(language, iso2, expected):
    with translation.override(language):
        assert str(Country.objects.get(iso2=iso2)) == expected


# --- The catalogues: complete, and up to date with the code ------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ["es", "fr"]


def read_catalogue(path: Path) -> dict:
    """A .po file as {(msgctxt, msgid, msgid_plural): {"msgstr": [...], "fuzzy": bool}}, header left out."""
    entries, entry, field = {}, None, None

    def close():
        if entry is not None and entry.get("msgid"):
            key = (entry.get("msgctxt", ""), entry["msgid"], entry.get("msgid_plural", ""))
            entries[key] = {"msgstr": entry["msgstr"], "fuzzy": entry["fuzzy"]}

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip() or (line.startswith("#") and field is not None and field != "flags"):
            close()
            entry, field = None, None
        if not line.strip():
            continue
        if entry is None:
            entry, field = {"msgstr": [], "fuzzy": False}, "flags"
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field.startswith("msgstr"):
                entry["msgstr"][-1] += text
            else:
                entry[field] += text
        else:
            keyword, _, value = line.partition(" ")
            field = keyword
            if keyword.startswith("msgstr"):
                entry["msgstr"].append(ast.literal_eval(value))
            else:
                entry[keyword] = ast.literal_eval(value)
    return entries


def committed(language):
    return read_catalogue(REPO / "locale" / language / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_string_has_a_translation_and_none_is_fuzzy(language):
    catalogue = committed(language)
    assert len(catalogue) > 400
    untranslated = [key for key, entry in catalogue.items() if not all(entry["msgstr"])]
    fuzzy = [key for key, entry in catalogue.items() if entry["fuzzy"]]
    assert untranslated == []
    assert fuzzy == []
    plurals = [entry for key, entry in catalogue.items() if key[2]]
    assert plurals and all(len(entry["msgstr"]) == 2 for entry in plurals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder_of_their_source_text(language):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}|</?\w+>")
    for (_, msgid, _plural), entry in committed(language).items():
        expected = sorted(placeholder.findall(msgid))
        for msgstr in entry["msgstr"]:
            assert sorted(placeholder.findall(msgstr)) == expected, msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_committed_next_to_the_po_file(language):
    po = REPO / "locale" / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 10_000


def test_the_committed_catalogues_are_up_to_date_with_the_code(tmp_path):
    """makemessages over a copy of the code finds exactly the messages the committed catalogues translate."""
    for name in ["operations", "templates", "trafficking_ops"]:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "manage.py", tmp_path)
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "trafficking_ops.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *[f"-l{code}" for code in LANGUAGES], "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        fresh = read_catalogue(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po")
        missing = set(fresh) - set(committed(language))
        stale = set(committed(language)) - set(fresh)
        assert missing == set(), "run `make messages` and translate the new strings"
        assert stale == set()


# --- Pages, numbers and dates in Spanish and French -------------------------------------------------------------


def page(client, url, language):
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "navigation", "heading", "victims"),
    [
        ("es", "Resumen general", "Cifras principales", "alrededor de 700"),
        ("fr", "Vue d’ensemble", "Chiffres principaux", "environ 700"),
    ],
)
def test_the_weka_ii_dashboard_speaks_the_chosen_language(analyst_client, language, navigation, heading, victims):
    html = page(analyst_client, reverse("operations:operation_detail", args=["weka-ii"]), language)
    assert f'<html lang="{language}"' in html
    assert navigation in html and heading in html
    assert victims in html
    assert "Headline figures" not in html and ">Overview<" not in html


@pytest.mark.parametrize(("language", "period"), [("es", "abril de 2018"), ("fr", "avril 2018")])
def test_dates_are_written_in_the_chosen_language(analyst_client, language, period):
    html = page(analyst_client, reverse("operations:operation_detail", args=["libertad"]), language)
    assert period in html


@pytest.mark.parametrize(
    ("language", "qualifier", "expected"),
    [
        ("en", Qualifier.MORE_THAN, "more than 10,000"),
        ("es", Qualifier.MORE_THAN, "más de 10.000"),
        ("fr", Qualifier.MORE_THAN, "plus de 10\xa0000"),
        ("es", Qualifier.APPROX, "alrededor de 10.000"),
        ("fr", Qualifier.APPROX, "environ 10\xa0000"),
        ("es", Qualifier.AT_LEAST, "al menos 10.000"),
        ("fr", Qualifier.AT_LEAST, "au moins 10\xa0000"),
    ],
)
def test_figures_are_qualified_and_grouped_for_the_locale(language, qualifier, expected):
    with translation.override(language):
        assert str(Figure(10_000, qualifier)) == expected


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("qualifier", Qualifier.values)
def test_a_figure_shown_in_any_language_reads_back_as_the_same_figure(language, qualifier):
    # An editor may paste a figure from a Spanish or French page into the admin or an import file.
    with translation.override(language):
        text = str(Figure(12_345, qualifier))
    assert Figure.parse(text) == Figure(12_345, qualifier)


@pytest.mark.parametrize(("language", "grouped"), [("es", "88.214"), ("fr", "88\xa0214")])
def test_the_overview_groups_thousands_for_the_locale(analyst_client, language, grouped):
    html = page(analyst_client, reverse("operations:home"), language)
    assert grouped in html  # migrants identified across the 48 operations ("at least 88,214" in English)


@pytest.mark.parametrize(
    ("language", "caveat"), [("es", "1 mínima"), ("es", "4 mínimas"), ("fr", "1 minimale"), ("fr", "4 minimales")]
)
def test_a_totals_caveat_takes_the_plural_form_of_the_language(analyst_client, language, caveat):
    assert caveat in page(analyst_client, reverse("operations:home"), language)


@pytest.mark.parametrize(("language", "label"), [("es", "explotación sexual"), ("fr", "exploitation sexuelle")])
def test_filter_labels_and_choices_follow_the_language(analyst_client, language, label):
    html = page(analyst_client, reverse("operations:operation_list"), language)
    assert f'<option value="sexual-exploitation">{label}</option>' in html
    assert ">sexual exploitation</option>" not in html  # (operation names may say it: they are not translated)
    assert "Minimum victims rescued" not in html


def test_one_list_served_in_turn_in_each_language_speaks_each_requests_language(analyst_client):
    # The filter forms' classes and the country options are built once per language and kept (filters.py): a page
    # must never get another language's labels or order from them.
    expected = {"en": ("Any country", "Brazil"), "es": ("Cualquier país", "Brasil"), "fr": ("Tous les pays", "Brésil")}
    for language in ("en", "es", "fr", "es", "en"):
        html = page(analyst_client, reverse("operations:result_list"), language)
        any_country, brazil = expected[language]
        assert f'<option value="" selected>{any_country}</option>' in html
        assert f'<option value="BR">{brazil}</option>' in html
        assert all(f">{other[0]}<" not in html for code, other in expected.items() if code != language)


@pytest.mark.parametrize(("language", "brazil"), [("en", "Brazil"), ("es", "Brasil"), ("fr", "Brésil")])
def test_a_country_page_is_titled_with_the_name_in_the_chosen_language(analyst_client, language, brazil):
    html = page(analyst_client, reverse("operations:country_detail", kwargs={"iso2": "br"}), language)
    assert f"<title>{brazil} · " in html
    assert f'<li class="breadcrumb-item active" aria-current="page">{brazil}</li>' in html
    assert f'<h1 class="h3">{brazil} <small' in html


def test_the_country_table_names_countries_in_the_chosen_language(analyst_client):
    html = page(analyst_client, reverse("operations:country_list"), "es")
    assert "Brasil" in html and ">Brazil<" not in html


@pytest.mark.parametrize(
    ("language", "germany", "bosnia"),
    [("es", "Alemania", "Bosnia y Herzegovina"), ("fr", "Allemagne", "Bosnie-Herzégovine")],
)
def test_the_overview_names_countries_in_the_chosen_language_and_orders_them_so(
    analyst_client, language, germany, bosnia
):
    response = analyst_client.get(reverse("operations:home"), headers={"accept-language": language})
    html = response.content.decode()
    labels = [row.label for row in response.context["overview"].countries]

    assert f"<title>{germany}: 9 " in html  # the map
    assert re.search(rf'<tr data-iso2="DE"><th scope="row">{germany}</th>', html)  # the table of every country
    assert "Germany" not in html and "Bosnia and Herzegovina" not in html and bosnia in html
    assert labels == sorted(labels, key=normalize_name)


@pytest.mark.parametrize(
    ("language", "southern_europe", "oceania"),
    [
        ("en", "Southern Europe", "Australia and New Zealand"),
        ("es", "Europa meridional", "Australasia"),
        ("fr", "Europe du Sud", "Australasie"),
    ],
)
def test_sub_regions_are_named_in_the_chosen_language_but_filter_by_their_un_name(
    analyst_client, language, southern_europe, oceania
):
    html = page(analyst_client, reverse("operations:country_list"), language)
    assert f'<option value="Southern Europe">{southern_europe}</option>' in html
    assert f'<option value="Australia and New Zealand">{oceania}</option>' in html
    filtered = page(analyst_client, reverse("operations:country_list") + "?subregion=Southern+Europe", language)
    assert 'data-iso2="ES"' in filtered and 'data-iso2="BR"' not in filtered
    assert f">{southern_europe}</td>" in filtered  # Spain's row
    assert southern_europe in page(analyst_client, "/countries/es/", language)


@pytest.mark.parametrize(("language", "germany"), [("es", "Alemania"), ("fr", "Allemagne")])
def test_the_dashboard_map_names_even_non_participants_in_the_chosen_language(analyst_client, language, germany):
    html = page(analyst_client, reverse("operations:operation_detail", args=["weka-ii"]), language)
    assert f"<title>{germany}</title>" in html  # Germany took no part in WEKA II: a plain country of the map
    assert "<title>Germany</title>" not in html and "Trinidad and Tobago" not in html


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_dashboard_lists_countries_in_the_alphabetical_order_of_the_language(analyst_client, language):
    response = analyst_client.get(
        reverse("operations:operation_detail", args=["weka-ii"]), headers={"accept-language": language}
    )
    names = [str(row.country) for row in response.context["dashboard"].countries]
    table = re.search(r'id="countries-table".*?</tbody>', response.content.decode(), re.S).group(0)

    assert names == sorted(names, key=normalize_name) and len(names) == 14
    assert [
        html.unescape(name) for name in re.findall(r'<tr data-iso2="\w\w"><th scope="row">(.*?)</th>', table)
    ] == names
    assert ("Emiratos Árabes Unidos" in names) == (language == "es")


def test_the_switcher_offers_each_language_in_its_own_name(client):
    html = page(client, reverse("login"), "fr")
    assert ">English</option>" in html and ">Español</option>" in html and ">Français</option>" in html


def test_a_csv_export_in_spanish_keeps_english_headers_and_plain_integers(staff_user, client):
    client.force_login(staff_user)
    response = client.get(reverse("operations:operation_list"), {"_export": "csv"}, headers={"accept-language": "es"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    with translation.override("en"):
        assert list(rows[0]) == exports.OPERATIONS.headers  # the same machine names as in English
    weka = next(row for row in rows if row["operation"] == "Operation Weka II")
    assert weka["victims_rescued"] == "700"
    assert weka["victims_rescued_qualifier"] == "approx"
    assert weka["migrants_identified"] == "4000"


@pytest.mark.parametrize(("language", "expected"), [("es", "no es una cifra"), ("fr", "n’est pas un chiffre")])
def test_an_editors_figure_error_is_in_the_chosen_language(language, expected):
    with translation.override(language), pytest.raises(FigureParseError) as error:
        Figure.parse("Synthetic seven hundred")
    assert expected in str(error.value)
