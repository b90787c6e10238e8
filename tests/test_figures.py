"""The Figure value type: display, parsing (round trip) and qualified sums."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operations.figures import Figure, FigureParseError, FigureTotal, Qualifier


@pytest.mark.parametrize(
    ("figure", "text"),
    [
        (Figure(700, Qualifier.APPROX), "about 700"),
        (Figure(250, Qualifier.AT_LEAST), "at least 250"),
        (Figure(10000, Qualifier.MORE_THAN), "more than 10,000"),
        (Figure(3222), "3,222"),
        (Figure(None), "—"),
    ],
)
def test_figure_shows_its_qualifier_in_one_wording(figure, text):
    assert str(figure) == text


@pytest.mark.parametrize(
    ("stated_as", "text"),
    [
        ("nearly 700", "about 700"),
        ("about 700", "about 700"),
        ("some 700", "about 700"),
        ("almost 700", "about 700"),
        ("250+", "at least 250"),
        ("at least 250", "at least 250"),
        ("over 10,000", "more than 10,000"),
        ("> 10,000", "more than 10,000"),
    ],
)
def test_every_phrasing_of_a_qualifier_is_shown_in_the_same_words(stated_as, text):
    assert str(Figure.parse(stated_as)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("700", Figure(700)),
        ("nearly 700", Figure(700, Qualifier.APPROX)),
        ("about 4,000", Figure(4000, Qualifier.APPROX)),
        ("some 3,400", Figure(3400, Qualifier.APPROX)),
        ("250+", Figure(250, Qualifier.AT_LEAST)),
        ("at least 5", Figure(5, Qualifier.AT_LEAST)),
        ("more than 10,000", Figure(10000, Qualifier.MORE_THAN)),
        ("over 360", Figure(360, Qualifier.MORE_THAN)),
        ("> 10,000", Figure(10000, Qualifier.MORE_THAN)),
        ("10 000", Figure(10000)),
        ("10.000", Figure(10000)),
        ("casi 700", Figure(700, Qualifier.APPROX)),
        ("près de 700", Figure(700, Qualifier.APPROX)),
        ("más de 10.000", Figure(10000, Qualifier.MORE_THAN)),
        ("", Figure(None)),
        ("  ", Figure(None)),
    ],
)
def test_parse_reads_what_sources_write(text, expected):
    assert Figure.parse(text) == expected


@pytest.mark.parametrize("text", ["-5", "minus 5", "seven hundred", "12abc", "nearly", "1,00", "nearly 250+"])
def test_parse_rejects_what_is_not_a_figure(text):
    with pytest.raises(FigureParseError):
        Figure.parse(text)


def test_a_figure_cannot_be_negative():
    with pytest.raises(ValueError):
        Figure(-1)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(Qualifier.values))
def test_display_text_parses_back_to_the_same_figure(value, qualifier):
    figure = Figure(value, qualifier)
    assert Figure.parse(str(figure)) == figure


def test_sum_of_exact_figures_is_exact():
    total = Figure.sum([Figure(100), Figure(22)])
    assert (total.value, total.qualifier, str(total)) == (122, Qualifier.EXACT, "122")


def test_sum_with_approximate_parts_is_approximate_and_says_how_many():
    total = Figure.sum([Figure(700, Qualifier.APPROX), Figure(350, Qualifier.APPROX), Figure(80)])
    assert total.qualifier == Qualifier.APPROX
    assert str(total) == "about 1,130 (2 approximate)"


def test_a_missing_part_is_not_zero_and_makes_the_total_a_lower_bound():
    total = Figure.sum([Figure(3000), Figure(None), Figure(105, Qualifier.APPROX)])
    assert total.value == 3105
    assert total.qualifier == Qualifier.AT_LEAST
    assert str(total) == "at least 3,105 (1 approximate, 1 unknown)"


def test_sum_of_only_unknown_parts_is_unknown():
    total = Figure.sum([Figure(None), Figure(None)])
    assert total.value is None
    assert str(total) == "—"


def test_totals_add_up_part_by_part_and_stay_unknown_only_when_both_are():
    a = Figure.sum([Figure(700, Qualifier.APPROX), Figure(None)])
    b = Figure.sum([Figure(250, Qualifier.AT_LEAST), Figure(5)])
    assert a + b == Figure.sum(
        [Figure(700, Qualifier.APPROX), Figure(None), Figure(250, Qualifier.AT_LEAST), Figure(5)]
    )
    assert (FigureTotal(None) + FigureTotal(None)).value is None
    assert sum([a, b], FigureTotal(None)) == a + b


@pytest.mark.django_db
def test_a_total_read_back_from_sql_equals_figure_sum_over_the_same_rows():
    from operations.figures import read_totals, total_aggregates
    from operations.models import METRICS, Operation

    operations = Operation.objects.order_by()
    totals = read_totals(operations.aggregate(**total_aggregates()))
    for metric in METRICS:
        assert totals[metric.value] == Figure.sum(operation.figure(metric) for operation in operations)
