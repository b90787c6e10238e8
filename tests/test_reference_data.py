"""The sourced reference data: loaded as the sources state it, conflicts kept, reloading changes nothing."""

import pytest
from django.conf import settings
from django.core.management import call_command

from operations import services
from operations.figures import Figure, Qualifier
from operations.models import DataVersion, Operation, Participation, ReportedFigure, Role, Source
from operations.reference import load_reference

pytestmark = pytest.mark.django_db


def op(name):
    return Operation.objects.get(name=name)


def test_all_reference_operations_are_loaded():
    assert Operation.objects.count() == 24


def test_libertad_matches_its_sources():
    libertad = op("Operation Libertad")
    assert str(libertad.figure("victims_rescued")) == "about 350"
    assert libertad.figure("arrests") == Figure(22)
    assert libertad.countries_reported == 13
    assert libertad.start_date.isoformat() == "2018-04-03"
    assert libertad.participations.get(role=Role.COMMAND_CENTRE).country.iso2 == "BB"
    assert set(libertad.participations.values_list("country__region", flat=True)) == {"Americas"}


def test_weka_ii_matches_its_sources():
    weka = op("Operation Weka II")
    assert weka.figure("victims_rescued") == Figure(700, Qualifier.APPROX)
    assert str(weka.figure("victims_rescued")) == "about 700"
    assert weka.figure("arrests") == Figure(300)
    assert weka.countries_reported == 44
    assert (weka.start_date.year, weka.start_date.month) == (2022, 6)
    regions = set(weka.participations.values_list("country__region", flat=True))
    assert len(regions) >= 2  # named participants span continents


def test_storm_makers_matches_its_sources():
    storm = op("Operation Storm Makers")
    assert storm.figure("victims_rescued") == Figure(80)
    assert storm.figure("arrests") == Figure(121)
    assert storm.figure("investigations_opened") == Figure(193)
    assert (storm.start_date.year, storm.start_date.month) == (2022, 3)
    # Coordinated from Hanoi and Abu Dhabi; the country list writes the latter "UAE".
    centres = set(storm.participations.filter(role=Role.COMMAND_CENTRE).values_list("country__iso2", flat=True))
    assert centres == {"VN", "AE"}


def test_turquesa_iii_matches_its_sources():
    turquesa = op("Operation Turquesa III")
    assert turquesa.figure("victims_rescued") == Figure(127)
    assert turquesa.figure("arrests") == Figure(216)
    assert turquesa.figure("migrants_identified") == Figure(10000, Qualifier.MORE_THAN)
    assert str(turquesa.figure("migrants_identified")) == "more than 10,000"
    # "from 61 countries" is not a metric: the source's own words are kept in the notes the dashboard shows.
    assert "irregular migrants from 61 different countries" in turquesa.notes
    assert (turquesa.start_date.isoformat(), turquesa.end_date.isoformat()) == ("2021-11-29", "2021-12-03")
    el_salvador = turquesa.participations.get(country__iso2="SV")
    assert el_salvador.figure("arrests") == Figure(27)
    # The other El Salvador report (14 smugglers) is kept, not added and not preferred.
    assert sorted(el_salvador.reported_figures.values_list("value", "is_preferred")) == [(14, False), (27, True)]


def test_every_reported_figure_has_a_source():
    assert not ReportedFigure.objects.filter(source__isnull=True).exists()
    assert ReportedFigure.objects.count() > 100


def test_unreported_figures_stay_unknown():
    turquesa = op("Operation Turquesa")  # smuggling-focused: no victims total was published
    assert turquesa.victims_rescued is None
    assert not Operation.objects.filter(victims_rescued=0).exists()


def test_conflicting_sources_are_kept_with_the_preferred_one_marked():
    turquesa_iv = op("Operation Turquesa IV")
    values = dict(turquesa_iv.reported_figures.filter(metric="victims_rescued").values_list("value", "is_preferred"))
    assert values == {130: True, 128: False}
    assert turquesa_iv.victims_rescued == 130


def test_unnamed_press_report_is_loaded_as_unverified_lower_bounds():
    unnamed = Operation.objects.get(name__startswith="Unnamed INTERPOL operation")
    assert not unnamed.is_verified
    assert unnamed.year is None and unnamed.start_date is None
    assert unnamed.participations.count() == 0
    assert unnamed.countries_reported == 5
    assert str(unnamed.figure("victims_rescued")) == "at least 250"
    assert str(unnamed.figure("arrests")) == "more than 100"


def test_single_country_operations_are_flagged():
    assert set(Operation.objects.filter(is_single_country=True).values_list("name", flat=True)) == {
        "Operation Nawa",
        "Operation Akoma",
    }


def test_month_only_dates_keep_their_precision():
    flash = op("Operation FLASH-WEKA")
    assert flash.date_precision == "month"
    assert (flash.start_date.month, flash.end_date.month) == (5, 6)


def test_loading_twice_changes_nothing():
    def everything():
        models = (Operation, Participation, ReportedFigure, Source)
        rows = [list(model.objects.order_by("pk").values()) for model in models]
        # The data version too: a new token would throw away every cached rendering (operations/caching.py).
        return rows, [model.history.count() for model in models], list(DataVersion.objects.values())

    before = everything()
    report = load_reference(settings.REFERENCE_DIR)
    assert everything() == before
    assert report.created == {}


def test_reloading_never_overwrites_an_editors_correction():
    libertad = op("Operation Libertad")
    figure = libertad.reported_figures.get(metric="arrests", participation=None)
    figure.value = 23
    figure.save()
    services.refresh_preferred_figures(libertad)
    call_command("load_reference", stdout=open("/dev/null", "w"))
    libertad.refresh_from_db()
    assert libertad.arrests == 23
    assert libertad.reported_figures.filter(metric="arrests", participation=None).count() == 1


def test_sources_record_publisher_and_date():
    source = Source.objects.get(url__contains="Americas-216-arrests")
    assert source.publisher.startswith("INTERPOL")
    assert source.published.isoformat() == "2021-12-10"
    assert source.is_primary
