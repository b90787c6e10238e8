"""The reference data package (operations/reference_data/, v2): loaded as its files state it, every report with its
source, quote and stated_as, conflicts kept, reloading changes nothing and never overwrites an editor's correction."""

import csv
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from operations import services
from operations.figures import Figure, Qualifier
from operations.importing import import_package
from operations.models import DataVersion, Operation, Origin, Participation, ReportedFigure, Role, Source

pytestmark = pytest.mark.django_db


def rows(name):
    with (settings.REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def op(slug):
    return Operation.objects.get(slug=slug)


def test_settings_point_at_the_vendored_package_not_outside_the_repository():
    assert settings.REFERENCE_DIR == settings.BASE_DIR / "operations" / "reference_data"
    assert (settings.REFERENCE_DIR / "datapackage.json").is_file()


def test_every_row_of_the_package_is_loaded():
    assert Operation.objects.count() == len(rows("operations.csv")) == 48
    assert Participation.objects.count() == len(rows("participations.csv")) == 583
    assert ReportedFigure.objects.count() == len(rows("figures.csv")) == 329
    assert ReportedFigure.objects.filter(is_preferred=True).count() == 216
    assert Source.objects.count() == len(rows("sources.csv")) == 165
    assert Participation.objects.filter(role=Role.COMMAND_CENTRE).count() == 23


def test_every_figure_report_keeps_its_source_quote_stated_as_note_and_preferred_flag():
    stored = {
        (
            f.operation.slug,
            f.participation.country.iso2 if f.participation else "",
            f.metric,
            f.source.key,
            f.stated_as,
        ): (f.value, f.qualifier, f.quote, f.note, f.is_preferred, f.origin)
        for f in ReportedFigure.objects.select_related("operation", "participation__country", "source")
    }
    for row in rows("figures.csv"):
        key = (row["operation"], row["country"], row["metric"], row["source"], row["stated_as"])
        assert stored[key] == (
            int(row["value"]),
            row["qualifier"],
            row["quote"],
            row["note"],
            row["preferred"] == "true",
            Origin.REFERENCE,
        ), key


def test_operations_keep_their_facts_as_the_package_states_them():
    for row in rows("operations.csv"):
        operation = op(row["id"])
        assert operation.name == row["name"]
        assert (operation.start_date.isoformat() if operation.start_date else "") == row["start_date"]
        assert (operation.end_date.isoformat() if operation.end_date else "") == row["end_date"]
        assert operation.date_precision == row["date_precision"]
        assert operation.is_verified == (row["verified"] == "true")
        assert operation.is_single_country == (row["single_country"] == "true")
        assert operation.facts_source.key == row["facts_source"]
        assert operation.exploitation_text == row["exploitation"]
        assert operation.notes == row["notes"]


def test_libertad_shows_its_five_victims_reports_with_the_preferred_one_marked():
    libertad = op("libertad")
    assert str(libertad.figure("victims_rescued")) == "about 350"
    reports = libertad.reported_figures.filter(metric="victims_rescued", participation=None)
    assert reports.count() == 5
    preferred = reports.get(is_preferred=True)
    assert (preferred.stated_as, preferred.source.key) == ("nearly 350", "afp-2018-05-01-libertad-newindianexpress")
    assert "nearly 350 potential victims" in preferred.quote
    assert libertad.figure("arrests") == Figure(22)
    assert libertad.countries_reported == 13
    assert libertad.participations.get(role=Role.COMMAND_CENTRE).country.iso2 == "BB"


def test_weka_ii_is_nearly_700_victims_with_its_quote_and_conflicting_reports():
    weka = op("weka-ii")
    assert weka.figure("victims_rescued") == Figure(700, Qualifier.APPROX)
    assert str(weka.figure("victims_rescued")) == "about 700"
    preferred = weka.reported_figures.get(metric="victims_rescued", participation=None, is_preferred=True)
    assert preferred.stated_as == "près de 700"
    assert preferred.source.key == "interpol-2022-06-weka-ii-fr"
    assert preferred.source.language == "fr"
    assert "secouru près de 700 victimes" in preferred.quote
    others = weka.reported_figures.filter(metric="victims_rescued", participation=None, is_preferred=False)
    assert sorted(others.values_list("stated_as", flat=True)) == ["almost 700", "nearly 700"]
    assert weka.countries_reported == 44


def test_storm_makers_has_two_command_centres():
    storm = op("storm-makers")
    assert storm.figure("arrests") == Figure(121)
    centres = set(storm.participations.filter(role=Role.COMMAND_CENTRE).values_list("country__iso2", flat=True))
    assert centres == {"VN", "AE"}


def test_separate_country_reports_are_kept_not_added():
    el_salvador = op("turquesa-iii").participations.get(country__iso2="SV")
    assert el_salvador.figure("arrests") == Figure(27)
    assert sorted(el_salvador.reported_figures.values_list("value", "is_preferred")) == [(14, False), (27, True)]


def test_participations_keep_their_source_and_notes():
    for row in rows("participations.csv")[:50]:
        participation = Participation.objects.select_related("source").get(
            operation__slug=row["operation"], country__iso2=row["country"]
        )
        assert participation.role == row["role"]
        assert (participation.source.key if participation.source else "") == row["source"]
        assert participation.notes == row["notes"]


def test_unreported_figures_stay_unknown():
    turquesa = op("turquesa")  # smuggling-focused: no victims total was published
    assert turquesa.victims_rescued is None
    assert not Operation.objects.filter(victims_rescued=0).exists()


def test_the_unnamed_press_report_is_unverified_with_unknown_dates():
    unnamed = op("unnamed-americas-press-report")
    assert not unnamed.is_verified
    assert unnamed.date_precision == "unknown"
    assert unnamed.year is None and unnamed.start_date is None
    assert unnamed.participations.count() == 0
    assert unnamed.countries_reported == 5
    assert str(unnamed.figure("victims_rescued")) == "at least 250"


def test_single_country_operations_are_flagged():
    expected = {row["id"] for row in rows("operations.csv") if row["single_country"] == "true"}
    assert set(Operation.objects.filter(is_single_country=True).values_list("slug", flat=True)) == expected
    assert "nawa" in expected and "akoma" in expected


def test_month_only_dates_keep_their_precision():
    flash = op("flash-weka")
    assert flash.date_precision == "month"
    assert (flash.start_date.isoformat(), flash.end_date.isoformat()) == ("2023-05-01", "2023-06-30")


def test_sources_record_key_publisher_language_and_primary_flag():
    source = Source.objects.get(url__contains="Americas-216-arrests")
    assert source.key == "interpol-2021-12-turquesa-iii-en-vuink"
    assert source.publisher.startswith("INTERPOL")
    assert source.language == "en"
    assert not source.is_primary  # a verbatim mirror of the release is not the coordinating body's own page
    assert not Source.objects.filter(url="").exists()


def test_exploitation_forms_are_read_from_the_exploitation_text():
    assert set(op("storm-makers").exploitation_forms.values_list("slug", flat=True)) >= {
        "forced-labour",
        "sexual-exploitation",
        "migrant-smuggling",
    }


def everything():
    models = (Operation, Participation, ReportedFigure, Source)
    data = [list(model.objects.order_by("pk").values()) for model in models]
    # The data version too: a new token would throw away every cached rendering (operations/caching.py).
    return data, [model.history.count() for model in models], list(DataVersion.objects.values())


def test_loading_twice_changes_nothing():
    before = everything()
    report = import_package(settings.REFERENCE_DIR, commit=True, origin=Origin.REFERENCE)
    assert report.ok
    assert (report.figures, report.sources, report.countries["create"], report.operations["create"]) == (0, 0, 0, [])
    assert everything() == before


def test_reloading_never_overwrites_an_editors_correction():
    libertad = op("libertad")
    figure = libertad.reported_figures.get(metric="arrests", participation=None, is_preferred=True)
    figure.value, figure.stated_as = 23, "23"
    figure.save()
    services.refresh_preferred_figures(libertad)
    call_command("load_reference", stdout=open("/dev/null", "w"))
    libertad.refresh_from_db()
    assert libertad.arrests == 23
    assert libertad.reported_figures.filter(metric="arrests", participation=None).count() == 2  # 23 and "al menos 12"


def test_a_newer_package_adds_its_new_operations_and_reports_and_keeps_the_chosen_preferred_ones(tmp_path):
    package = tmp_path / "newer"
    shutil.copytree(settings.REFERENCE_DIR, package)
    with (package / "operations.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(
            "zz-synthetic-newer,Synthetic newer operation,INTERPOL,2026-01-05,2026-01-09,day,Americas,,true,true,"
            "forced labour,afp-2018-05-01-libertad-newindianexpress,\n"
        )
    with (package / "participations.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write("zz-synthetic-newer,BR,participant,,\n")
    with (package / "figures.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(
            "zz-synthetic-newer,,arrests,5,exact,five,afp-2018-05-01-libertad-newindianexpress,"
            "synthetic: five were arrested,true,\n"
        )
    # A new report for Libertad's arrests, and the newer package prefers it; the stored choice stands.
    lines = []
    for line in (package / "figures.csv").read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("libertad,,arrests,22,exact,Twenty-two,"):
            line = line.replace(",true,", ",false,", 1)
        lines.append(line)
    lines.append("libertad,,arrests,22,exact,22,caribbeanlife-2018-05-libertad,synthetic: 22 were arrested,true,\n")
    (package / "figures.csv").write_text("".join(lines), encoding="utf-8")
    report = import_package(package, commit=True, origin=Origin.REFERENCE)
    assert report.ok, [str(issue) for issue in report.errors]
    assert (report.operations["create"], report.countries["create"], report.figures) == (
        ["Synthetic newer operation"],
        1,
        2,
    )
    assert op("zz-synthetic-newer").figure("arrests") == Figure(5)
    libertad = op("libertad")
    preferred = libertad.reported_figures.get(metric="arrests", participation=None, is_preferred=True)
    assert preferred.stated_as == "Twenty-two"
    assert libertad.reported_figures.filter(metric="arrests", participation=None).count() == 3
