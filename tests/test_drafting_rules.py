"""The drafting rules, one behaviour per test, on sentences written for these tests (en/es/fr): numbers, separators,
number words, qualifiers, metrics, countries, distractors, restatements, sub-counts, periods, several operations."""

import pytest

from operations.drafting.dates import find_period
from operations.drafting.numbers import find_numbers
from operations.drafting.pipeline import draft_text
from operations.drafting.sources import from_html, from_text


def figures(text, language="en"):
    """{(metric, value, qualifier, country)} of every operation the text reports."""
    draft = draft_text(text, language)
    return {
        (figure.metric, figure.value, figure.qualifier, figure.country)
        for operation in draft.operations
        for figure in operation.figures
    }


def only(text, language="en"):
    draft = draft_text(text, language)
    assert len(draft.operations) == 1, draft.operations
    return draft.operations[0]


# --- numbers: separators, words, mixed forms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("2,517", "en", 2517),
        ("2.517", "es", 2517),
        ("2 517", "fr", 2517),
        ("2\u202f517", "fr", 2517),
        ("15'000", "fr", 15000),
        ("3.5 million", "en", 3_500_000),
        ("4 mil 419", "es", 4419),
        ("3 mil", "es", 3000),
        ("three thousand", "en", 3000),
        ("Twenty-two", "en", 22),
        ("two dozen", "en", 24),
        ("trois cents", "fr", 300),
        ("Cent-cinquante-huit", "fr", 158),
        ("doscientos", "es", 200),
        ("cuatro", "es", 4),
        ("une centaine", "fr", 100),
    ],
)
def test_numbers_are_read_with_each_languages_separators_and_words(text, language, value):
    (number,) = find_numbers(f"Results: {text} people.", language)
    assert number.value == value


@pytest.mark.parametrize(
    "text",
    ["lorry 2Human figure", "the 16shop platform", "at 12h21", "on 28/11/2023", "a 34-year-old man", "1.6 people"],
)
def test_digits_glued_to_letters_slashes_or_hyphens_are_not_counts(text):
    assert [n.value for n in find_numbers(text, "en") if n.value in (2, 16, 12, 34, 1)] == []


def test_indefinite_articles_are_not_numbers():
    assert find_numbers("Una persona y unos hombres; un réseau; a man", "es") == []


# --- qualifiers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "language", "qualifier"),
    [
        ("nearly 640", "en", "approx"),
        ("some 640", "en", "approx"),
        ("about 640", "en", "approx"),
        ("more than 640", "en", "more_than"),
        ("over 640", "en", "more_than"),
        ("at least 640", "en", "at_least"),
        ("640+", "en", "at_least"),
        ("640", "en", "exact"),
        ("casi 640", "es", "approx"),
        ("unos 640", "es", "approx"),
        ("más de 640", "es", "more_than"),
        ("al menos 640", "es", "at_least"),
        ("près de 640", "fr", "approx"),
        ("quelque 640", "fr", "approx"),
        ("plus de 640", "fr", "more_than"),
        ("au moins 640", "fr", "at_least"),
        ("une quarantaine", "fr", "approx"),
    ],
)
def test_the_qualifier_printed_before_a_number_is_kept(phrase, language, qualifier):
    (number,) = find_numbers(f"x {phrase} y", language)
    assert number.qualifier == qualifier
    assert number.text == phrase


# --- metrics: the verbs and nouns of each ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        ("Officers rescued 85 victims of forced labour.", "en", ("victims_rescued", 85)),
        ("In all, 85 potential victims were identified.", "en", ("victims_rescued", 85)),
        ("The team safeguarded 85 children.", "en", ("victims_rescued", 85)),
        ("Police arrested 85 suspects.", "en", ("arrests", 85)),
        ("A total of 85 people were detained.", "en", ("arrests", 85)),
        ("The raids led to 85 arrests.", "en", ("arrests", 85)),
        ("Investigators opened 85 new investigations.", "en", ("investigations_opened", 85)),
        ("The action triggered 85 investigations.", "en", ("investigations_opened", 85)),
        ("Border guards detected 85 irregular migrants.", "en", ("migrants_identified", 85)),
        ("La policía rescató a 85 víctimas.", "es", ("victims_rescued", 85)),
        ("Fueron detenidas 85 personas.", "es", ("arrests", 85)),
        ("Se abrieron 85 nuevas investigaciones.", "es", ("investigations_opened", 85)),
        ("Se identificaron 85 migrantes irregulares.", "es", ("migrants_identified", 85)),
        ("La police a secouru 85 victimes.", "fr", ("victims_rescued", 85)),
        ("85 personnes ont été interpellées.", "fr", ("arrests", 85)),
        ("85 enquêtes ont été ouvertes.", "fr", ("investigations_opened", 85)),
        ("Les arrestations : 85", "fr", ("arrests", 85)),
        ("The total arrests was 85.", "en", ("arrests", 85)),
    ],
)
def test_each_metric_is_read_from_its_verbs_and_nouns(sentence, language, expected):
    assert {(metric, value) for metric, value, _, _ in figures(sentence, language)} == {expected}


@pytest.mark.parametrize(
    "sentence",
    [
        "Officers monitored 4,100 flights.",
        "Police carried out 52,000 checks at the border.",
        "More than 900 officers were deployed.",
        "Victims came from 31 different countries.",
        "The network exploited 40 victims in the city.",  # no rescue or identification
        "Investigators identified 75 suspected traffickers.",  # suspects identified are not arrests
        "They froze 17 bank accounts.",
        "A 16-year-old girl was among them in 2023.",
        "The operation lasted five days and used 12 vehicles.",
        "Police arrested nine people for trafficking eight children.",  # the eight are not rescued
        "Thousands of victims were detected.",  # vague, not a figure
    ],
)
def test_other_quantities_are_not_figures(sentence):
    found = figures(sentence)
    assert all(value not in (4100, 52000, 900, 31, 40, 75, 17, 16, 2023, 5, 12, 8) for _, value, _, _ in found), found


def test_people_take_the_verb_acting_on_them_not_the_one_across_and():
    found = figures("Thirty victims have been rescued and 14 alleged traffickers have been arrested.")
    assert found == {("victims_rescued", 30, "exact", None), ("arrests", 14, "exact", None)}


# --- restatements and sub-counts -------------------------------------------------------------------------------------


def test_a_restatement_keeps_the_most_precise_wording():
    text = "More than 1,300 people were arrested. In total, police arrested 1,327 suspects."
    assert figures(text) == {("arrests", 1327, "exact", None)}


def test_the_same_number_with_two_qualifiers_is_kept_once_as_exact():
    assert figures("Some 212 arrests were made. Results: 212 arrests.") == {("arrests", 212, "exact", None)}


def test_by_charge_and_age_sub_counts_are_not_figures():
    text = (
        "The operation led to 410 arrests, 120 for trafficking and 95 for smuggling. "
        "Police rescued 980 victims, including 230 children."
    )
    assert figures(text) == {("arrests", 410, "exact", None), ("victims_rescued", 980, "exact", None)}


def test_a_count_given_only_in_parts_is_their_sum():
    text = "Officers identified 128 women and two men as potential victims."
    (figure,) = only(text).figures
    assert (figure.metric, figure.value, figure.sum_of) == ("victims_rescued", 130, [128, 2])
    assert figure.stated_as == "128 women and two men"


# --- countries --------------------------------------------------------------------------------------------------------


def test_a_figure_belongs_to_the_country_whose_authorities_acted():
    text = (
        "The operation rescued 900 victims and led to 300 arrests. In Chile, police arrested 41 "
        "people. Sudanese police rescued 60 victims, and 12 people were arrested in Ghana."
    )
    assert figures(text) >= {
        ("arrests", 41, "exact", "CL"),
        ("victims_rescued", 60, "exact", "SD"),
        ("arrests", 12, "exact", "GH"),
    }


def test_participants_come_from_names_adjectives_and_capitals_in_three_languages():
    text = (
        "Police rescued 50 victims. The operation was coordinated from Dakar, with checks au Mali, en Mauritanie "
        "et au Niger; les autorités marocaines et la policía panameña y participaron."
    )
    assert set(only(text).countries_named) == {"SN", "ML", "MR", "NE", "MA", "PA"}


def test_countries_of_origin_destination_and_nationalities_are_not_participants():
    text = (
        "Police in Spain rescued 70 victims from Romania and Nigeria, who had been sent to Italy. "
        "Five Chinese nationals were arrested. The agency is based in France."
    )
    assert only(text).countries_named == ["ES"]


def test_a_list_of_countries_is_a_participant_list_and_a_coordination_unit_a_command_centre():
    text = (
        "Police arrested 90 suspects. Argentina, Bolivia, Chile and Peru took part, and an operational "
        "coordination unit was set up in Lima."
    )
    operation = only(text)
    assert set(operation.countries_named) == {"AR", "BO", "CL", "PE"}
    assert [c.iso2 for c in operation.countries if c.role == "command_centre"] == ["PE"]


def test_datelines_and_headquarters_are_not_participants():
    text = "LYON, France – Police in Kenya arrested 33 suspects, INTERPOL said from its Lyon headquarters."
    assert only(text).countries_named == ["KE"]


def test_the_stated_number_of_countries_is_read_but_not_nationality_counts():
    text = "Police in 27 countries rescued 300 victims from 41 countries of origin and 12 nationalities."
    assert only(text).countries_reported == 27


# --- operations and periods -------------------------------------------------------------------------------------------


def test_several_operations_in_one_text_keep_their_own_figures():
    text = (
        "Operation Synthetic Heron led to 205 arrests across 12 countries. "
        "It follows Operation Synthetic Egret, which last year rescued nearly 430 victims."
    )
    draft = draft_text(text, "en")
    assert [(op.name, [(f.metric, f.value) for f in op.figures]) for op in draft.operations] == [
        ("Synthetic Heron", [("arrests", 205)]),
        ("Synthetic Egret", [("victims_rescued", 430)]),
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("La operación “Synthetic Cóndor II” permitió detener a 40 personas.", "Synthetic Cóndor II"),
        ("L'opération Synthétique-Faucon a permis l'arrestation de 40 personnes.", "Synthétique-Faucon"),
        ("An action dubbed Global Synthetic Net saw 40 arrests.", "Global Synthetic Net"),
        ("The SYNTHEX Police Operation saw 40 arrests.", "SYNTHEX"),
    ],
)
def test_operation_names_are_read_as_printed(text, name):
    language = "es" if "operación" in text else "fr" if "opération" in text else "en"
    assert only(text, language).name == name


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("It was carried out from 12 to 17 June.", "--06-12", "--06-17"),
        ("It ran April 3-9.", "--04-03", "--04-09"),
        ("It ran from 28 March to 2 April.", "--03-28", "--04-02"),
        ("Se realizó del 21 al 25 de marzo de 2022.", "2022-03-21", "2022-03-25"),
        ("Elle s'est déroulée entre le 1er et le 6 juin.", "--06-01", "--06-06"),
        ("Between 8 and 12 November 2021 police acted.", "2021-11-08", "2021-11-12"),
        ("It began on September 29 and ended on October 4.", "--09-29", "--10-04"),
    ],
)
def test_periods_keep_the_precision_the_text_states(sentence, start, end):
    period = find_period(sentence)
    assert (period.start, period.end) == (start, end)


def test_a_month_without_days_gives_no_date():
    assert find_period("The operation took place between May and June 2024.") is None


# --- sources --------------------------------------------------------------------------------------------------------


def test_a_table_of_figures_in_a_saved_page_is_read():
    html = """<html lang="en"><head><title>Results</title></head><body><article>
    <p>Operation Synthetic Lynx was an international operation against trafficking in human beings.</p>
    <table><tr><th>Arrests</th><td>1,062</td></tr><tr><th>Victims rescued</th><td>823</td></tr>
    <tr><th>Officers deployed</th><td>5,000</td></tr></table></article></body></html>"""
    source = from_html(html)
    assert figures(source.text) == {("arrests", 1062, "exact", None), ("victims_rescued", 823, "exact", None)}


def test_the_corpus_format_gives_url_and_language():
    source = from_text("https://example.org/a\nes\n\nLa policía detuvo a 12 personas.")
    assert (source.url, source.language, source.text) == (
        "https://example.org/a",
        "es",
        "La policía detuvo a 12 personas.",
    )


def test_quotes_and_number_phrases_are_substrings_of_the_text():
    text = "Operation Synthetic Wren: nearly 700 victims rescued; 54 suspects were arrested in Togo."
    for figure in only(text).figures:
        assert text[figure.start : figure.end] == figure.stated_as
        assert text[figure.quote_start : figure.quote_end] == figure.quote
        assert figure.stated_as in figure.quote


def test_a_count_after_dont_or_including_is_a_sub_count_even_before_another_verb():
    text = "L'opération a permis de secourir 387 victimes, dont 120 mineurs, et d'interpeller 52 trafiquants présumés."
    assert figures(text, "fr") == {("victims_rescued", 387, "exact", None), ("arrests", 52, "exact", None)}


def test_an_approximative_noun_reads_through_de():
    assert figures("Une quarantaine d'enquêtes ont été ouvertes.", "fr") == {
        ("investigations_opened", 40, "approx", None)
    }


def test_a_scene_set_by_in_country_carries_to_the_next_sentence_only_when_that_one_had_no_figure():
    carried = "Police rescued 500 victims. In Brazil, police dismantled a network. One victim was located in a port."
    assert ("victims_rescued", 1, "exact", "BR") in figures(carried)
    back_to_total = (
        "La operación rescató a 1.512 víctimas. En México, las autoridades rescataron a 240 víctimas. "
        "Además, se identificaron 4.000 migrantes irregulares."
    )
    assert ("migrants_identified", 4000, "exact", None) in figures(back_to_total, "es")


def test_a_french_coordination_cell_a_city_is_a_command_centre():
    operation = only("La police a secouru 90 victimes. La cellule de coordination était installée à Abidjan.", "fr")
    assert [(c.iso2, c.role) for c in operation.countries] == [("CI", "command_centre")]


def test_an_unnamed_earlier_edition_does_not_lend_its_figures():
    text = "Police rescued 640 victims this week. Last year's operation rescued 1,050 victims in the same region."
    assert figures(text) == {("victims_rescued", 640, "exact", None)}


def test_participation_of_names_participants():
    text = "With the participation of Chile and Peru, police arrested 51 suspects."
    assert set(only(text).countries_named) == {"CL", "PE"}


def test_a_bulleted_europol_style_result_list_with_its_action_week_dates():
    text = (
        "Between 5 and 9 June 2023, authorities in 26 countries took part in a joint action week, with the support "
        "of Romania and Bulgaria. The results:\n• 412 arrests\n• Potential victims identified: 1,374, including 153 "
        "children\n• 276 new investigations initiated\n• 30% of the victims were women\n• 8,500 locations inspected"
    )
    operation = only(text)
    assert {(f.metric, f.value) for f in operation.figures} == {
        ("arrests", 412),
        ("victims_rescued", 1374),
        ("investigations_opened", 276),
    }
    assert (operation.start_date, operation.end_date, operation.countries_reported) == ("2023-06-05", "2023-06-09", 26)
    assert set(operation.countries_named) == {"RO", "BG"}


def test_a_one_country_release_gives_the_country_and_operation_totals():
    text = "Thai police rescued 266 Myanmar nationals forced to work in scam centres and arrested 18 suspects."
    operation = only(text)
    assert operation.countries_named == ["TH"]
    assert {(f.metric, f.value, f.country) for f in operation.figures} == {
        ("victims_rescued", 266, None),
        ("arrests", 18, None),
    }


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Police identified 83 migrant smugglers.", set()),
        ("Police arrested 83 migrant smugglers.", {("arrests", 83, "exact", None)}),
        ("Border guards apprehended 640 irregular migrants.", {("migrants_identified", 640, "exact", None)}),
        ("Officers recovered 31 children from the farms.", {("victims_rescued", 31, "exact", None)}),
        ("Nine people were taken into custody.", {("arrests", 9, "exact", None)}),
    ],
)
def test_smugglers_are_not_migrants_and_more_verbs_of_each_metric(sentence, expected):
    assert figures(sentence) == expected


def test_a_coordination_unit_based_in_a_capital_is_a_command_centre_not_a_headquarters():
    operation = only("Police rescued 95 victims. The Operational Coordination Unit was based in Nairobi.")
    assert [(c.iso2, c.role) for c in operation.countries] == [("KE", "command_centre")]
