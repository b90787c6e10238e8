"""The admin where editors enter figures: access per role, validation on the wrong field, no lost edits, history with
restore, deletions only by superusers and undoable."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse

from operations import queries, services
from operations.figures import Figure, Qualifier
from operations.models import METRICS, Country, CountryAlias, Operation, Participation, ReportedFigure, Source
from tests.helpers.admin_forms import change_url, errors_of, form_data, inline_prefix
from tests.helpers.sync import assert_in_sync
from tests.helpers.users import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:operations_operation_changelist")
ADD = reverse("admin:operations_operation_add")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def source():
    return Source.objects.create(publisher="Synthetic Agency", title="Synthetic release", url="https://example.org/s")


@pytest.fixture
def operation(source):
    operation = Operation.objects.create(
        name="Synthetic Operation Admin", slug="synthetic-operation-admin", start_date=datetime.date(2024, 1, 1)
    )
    services.record_figure(operation=operation, metric="arrests", figure=Figure(100), source=source)
    brazil = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(40), source=source
    )
    operation.refresh_from_db()
    return operation


# --- Access per role ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST, ADD, reverse("admin:operations_operation_import")])
def test_only_editors_and_superusers_reach_the_admin(role_client, url):
    response = role_client.get(url)
    if role_client.role in ("editor", "admin"):
        assert response.status_code == 200
    else:
        # Anonymous users meet the site's login first (LoginRequiredMiddleware), others the admin's refusal.
        assert response.status_code == 302
        assert response.url.startswith((reverse("admin:login"), reverse("login")))


@pytest.mark.parametrize("role", ["analyst", "staff"])
def test_analysts_and_staff_stay_out_even_with_the_staff_flag(client, role):
    user = make_user(role)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_editor_cannot_delete_and_superuser_can(client, operation):
    editor = make_user("editor")
    client.force_login(editor)
    delete_url = reverse("admin:operations_operation_delete", args=[operation.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Operation.objects.filter(pk=operation.pk).exists()
    client.force_login(make_user("admin"))
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Operation.objects.filter(pk=operation.pk).exists()


def test_editor_sees_no_delete_checkbox_in_inlines(editor_client, operation):
    response = editor_client.get(change_url(operation))
    assert all(not inline.formset.can_delete for inline in response.context["inline_admin_formsets"])


# --- Entering an operation ------------------------------------------------------------------------------------------


def add_payload(editor_client, **overrides):
    response = editor_client.get(ADD)
    data = form_data(response)
    countries = inline_prefix(response, Participation)
    data.update(
        {
            "name": "Synthetic Operation Entered",
            "slug": "synthetic-operation-entered",
            "start_date": "2024-05-01",
            "end_date": "2024-05-09",
            "date_precision": "day",
            "is_verified": "on",
            "figure_victims_rescued": "nearly 700",
            "figure_arrests": "250",
            f"{countries}-TOTAL_FORMS": "2",
            f"{countries}-0-country": str(Country.objects.get(iso2="BR").pk),
            f"{countries}-0-role": "participant",
            f"{countries}-0-figure_arrests": "200",
            f"{countries}-1-country": str(Country.objects.get(iso2="AR").pk),
            f"{countries}-1-role": "command_centre",
            f"{countries}-1-figure_victims_rescued": "about 40",
        }
    )
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}, countries


def test_editor_adds_an_operation_with_two_countries_and_figures(editor_client, editor, source):
    data, _ = add_payload(editor_client, figures_source=str(source.pk), change_reason="first release")
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    operation = Operation.objects.get(name="Synthetic Operation Entered")
    assert operation.figure("victims_rescued") == Figure(700, Qualifier.APPROX)
    assert operation.figure("arrests") == Figure(250)
    assert operation.year == 2024
    assert operation.participations.get(country__iso2="BR").figure("arrests") == Figure(200)
    assert operation.participations.get(country__iso2="AR").figure("victims_rescued") == Figure(40, Qualifier.APPROX)
    assert set(operation.reported_figures.values_list("source", flat=True)) == {source.pk}
    assert operation.sources.filter(pk=source.pk).exists()
    record = operation.history.first()
    assert record.history_user == editor and record.history_change_reason == "first release"
    assert queries.last_correction(operation)[1] == editor.get_username()
    assert_in_sync(operation)


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"figure_arrests": "-5"}, "figure_arrests", "negative"),
        ({"figure_arrests": "lots"}, "figure_arrests", "not a figure"),
        ({"end_date": "2024-04-01"}, "end_date", "before the start date"),
        ({"countries_reported": "-1"}, "countries_reported", "greater than or equal to 0"),
        ({}, "figures_source", "A figure needs a source"),
    ],
    ids=["negative-figure", "non-numeric-figure", "end-before-start", "negative-count", "figure-without-source"],
)
def test_operation_form_errors_are_on_the_wrong_field(editor_client, overrides, field, words):
    data, _ = add_payload(editor_client, **overrides)
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    assert any(words in error for error in errors_of(response).get(field, [])), errors_of(response)
    assert not Operation.objects.filter(name="Synthetic Operation Entered").exists()


def test_the_same_country_twice_is_refused_on_its_row(editor_client, source):
    data, countries = add_payload(editor_client, figures_source=str(source.pk))
    data[f"{countries}-1-country"] = data[f"{countries}-0-country"]
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    assert any("already listed" in error for error in errors_of(response)["participation.country"])
    assert not Operation.objects.filter(name="Synthetic Operation Entered").exists()


def test_countries_adding_up_to_more_than_an_exact_total_are_refused(editor_client, source):
    data, countries = add_payload(editor_client, figures_source=str(source.pk))
    data[f"{countries}-1-figure_arrests"] = "60"  # 200 + 60 > exactly 250
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    assert any("add up to 260" in error for error in errors_of(response)["participation.figure_arrests"])
    # An approximate total may be exceeded: sources round.
    data["figure_arrests"] = "about 250"
    assert editor_client.post(ADD, data).status_code == 302


@pytest.mark.parametrize("cell,words", [("-3", "negative"), ("a few", "not a figure")], ids=["negative", "non-numeric"])
def test_a_bad_country_figure_is_refused_on_its_row(editor_client, source, cell, words):
    data, countries = add_payload(editor_client, figures_source=str(source.pk))
    data[f"{countries}-0-figure_arrests"] = cell
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    assert any(words in error for error in errors_of(response)["participation.figure_arrests"]), errors_of(response)
    assert not Operation.objects.filter(name="Synthetic Operation Entered").exists()


def test_country_figure_without_a_source_is_refused_on_its_row(editor_client):
    data, countries = add_payload(editor_client, figure_arrests="", figure_victims_rescued="")
    response = editor_client.post(ADD, data)
    assert any("Needs a source" in error for error in errors_of(response)["participation.figure_arrests"])


def test_reported_figure_inline_refuses_negative_missing_source_and_two_preferred(editor_client, operation, source):
    response = editor_client.get(change_url(operation))
    data = form_data(response)
    figures = inline_prefix(response, ReportedFigure)
    total = int(data[f"{figures}-TOTAL_FORMS"])
    data.update(
        {
            f"{figures}-TOTAL_FORMS": str(total + 2),
            f"{figures}-{total}-metric": "arrests",
            f"{figures}-{total}-value": "-3",
            f"{figures}-{total}-qualifier": "exact",
            f"{figures}-{total + 1}-metric": "arrests",
            f"{figures}-{total + 1}-value": "120",
            f"{figures}-{total + 1}-qualifier": "exact",
            f"{figures}-{total + 1}-is_preferred": "on",
        }
    )
    response = editor_client.post(change_url(operation), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert any("cannot be negative" in error for error in errors["reportedfigure.value"])
    assert any("needs a source" in error for error in errors["reportedfigure.source"])
    data[f"{figures}-{total}-value"] = "3"
    data[f"{figures}-{total}-source"] = str(source.pk)
    data[f"{figures}-{total + 1}-source"] = str(source.pk)
    errors = errors_of(editor_client.post(change_url(operation), data))
    assert any("Two values are marked preferred" in error for error in errors["reportedfigure.is_preferred"])
    assert ReportedFigure.objects.filter(operation=operation).count() == 2


def test_switching_the_preferred_value_in_the_inline_saves_and_syncs(editor_client, operation, source):
    other = services.record_figure(operation=operation, metric="arrests", figure=Figure(130), source=source)
    response = editor_client.get(change_url(operation))
    data = form_data(response)
    figures = inline_prefix(response, ReportedFigure)
    for index in range(int(data[f"{figures}-TOTAL_FORMS"])):
        if data.get(f"{figures}-{index}-id") == str(other.pk):
            data[f"{figures}-{index}-is_preferred"] = "on"
        elif data.get(f"{figures}-{index}-participation") is None:
            data.pop(f"{figures}-{index}-is_preferred", None)
    response = editor_client.post(change_url(operation), data)
    assert response.status_code == 302, errors_of(response)
    operation.refresh_from_db()
    assert operation.arrests == 130
    assert_in_sync(operation)


def test_two_preferred_values_and_a_missing_source_are_refused_by_the_database(operation, source):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(operation=operation, metric="arrests", value=5, source=source, is_preferred=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedFigure.objects.create(operation=operation, metric="arrests", value=5, source_id=None)


def test_standalone_figure_form_names_the_other_preferred_value(editor_client, operation, source):
    response = editor_client.post(
        reverse("admin:operations_reportedfigure_add"),
        {
            "operation": operation.pk,
            "metric": "arrests",
            "value": "101",
            "qualifier": "exact",
            "source": source.pk,
            "is_preferred": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["is_preferred"]
    assert "already has a preferred value (100 from Synthetic Agency" in errors[0]


def test_headline_figures_show_through_figure_in_the_changelist(editor_client, django_assert_max_num_queries):
    # A constant number (session, user, count, facet counts per filter, the page): figures are columns, not lookups.
    with django_assert_max_num_queries(25):
        response = editor_client.get(CHANGELIST, {"q": "Weka"})
    html = response.content.decode()
    assert "about 700" in html  # Weka II victims, with their qualifier
    response = editor_client.get(CHANGELIST, {"participations__country__region__exact": "Africa"})
    assert response.status_code == 200
    assert "Operation Weka II" in response.content.decode()
    names = set(
        editor_client.get(CHANGELIST, {"coordinator": "Frontex"})
        .context["cl"]
        .result_list.values_list("name", flat=True)
    )
    expected = set(Operation.objects.filter(coordinator__icontains="Frontex").values_list("name", flat=True))
    assert {"Operation Global Chain 2023", "Operation Global Chain 2024"} <= names == expected
    assert "Operation Weka II" not in editor_client.get(CHANGELIST, {"coordinator": "other"}).content.decode()


# --- No lost edits -----------------------------------------------------------------------------------------------


def test_second_of_two_concurrent_saves_is_refused_with_what_changed(client, operation):
    first, second = make_user("editor"), User.objects.create_user("second-editor", password="pw-second-123")
    second.is_staff = True
    second.save()
    second.groups.set(first.groups.all())
    from django.test import Client

    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    data_a = form_data(a.get(change_url(operation)))
    data_b = form_data(b.get(change_url(operation)))
    data_a["coordinator"] = "Synthetic coordinator A"
    assert a.post(change_url(operation), data_a).status_code == 302
    data_b["coordinator"] = "Synthetic coordinator B"
    response = b.post(change_url(operation), data_b)
    assert response.status_code == 200
    errors = errors_of(response)
    message = " ".join(errors["__all__"])
    assert "NOT saved" in message
    assert "'Synthetic coordinator A'" in message and "editor-user" in message
    assert any("Changed meanwhile" in error for error in errors["coordinator"])
    operation.refresh_from_db()
    assert operation.coordinator == "Synthetic coordinator A"
    # Having read what changed, the second editor may save on purpose: the refused form carries the new version.
    data_b["edit_token"] = response.context["adminform"].form.data["edit_token"]
    assert b.post(change_url(operation), data_b).status_code == 302
    operation.refresh_from_db()
    assert operation.coordinator == "Synthetic coordinator B"


def test_what_changed_meanwhile_is_told_in_the_editors_language(client, operation):
    """The refusal of a concurrent save lists the changes in Spanish on a Spanish admin, names and values as stored."""
    from django.test import Client

    first, second = make_user("editor"), User.objects.create_superuser("second-editor", password="pw-second-123")
    a, b = Client(HTTP_ACCEPT_LANGUAGE="es"), Client(HTTP_ACCEPT_LANGUAGE="es")
    a.force_login(first)
    b.force_login(second)
    data_a, data_b = form_data(a.get(change_url(operation))), form_data(b.get(change_url(operation)))
    data_a["coordinator"] = "Synthetic coordinator A"
    assert a.post(change_url(operation), data_a).status_code == 302
    response = b.post(change_url(operation), {**data_b, "coordinator": "Synthetic coordinator B"})
    message = " ".join(errors_of(response)["__all__"])
    assert "'Synthetic coordinator A'" in message and "por editor-user el " in message
    assert " by " not in message


def test_a_figure_changed_elsewhere_also_refuses_a_stale_operation_form(editor_client, operation, source):
    data = form_data(editor_client.get(change_url(operation)))
    figure = operation.reported_figures.get(participation=None, metric="arrests")
    response = editor_client.post(
        reverse("admin:operations_reportedfigure_change", args=[figure.pk]),
        {
            "operation": operation.pk,
            "metric": "arrests",
            "value": "101",
            "qualifier": "exact",
            "source": source.pk,
            "is_preferred": "on",
        },
    )
    assert response.status_code == 302
    response = editor_client.post(change_url(operation), data)
    assert response.status_code == 200
    assert "arrests: 101" in " ".join(errors_of(response)["__all__"])


# --- History -------------------------------------------------------------------------------------------------------


def test_changes_are_recorded_with_who_when_old_new_and_reason(editor_client, editor, operation):
    data = form_data(editor_client.get(change_url(operation)))
    data.update(coordinator="Synthetic corrected coordinator", change_reason="agency's second release")
    assert editor_client.post(change_url(operation), data).status_code == 302
    new, old = operation.history.all()[:2]
    assert new.history_user == editor and new.history_change_reason == "agency's second release"
    delta = new.diff_against(old)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "coordinator"] == [
        ("coordinator", "", "Synthetic corrected coordinator")
    ]
    history = editor_client.get(reverse("admin:operations_operation_history", args=[operation.pk]))
    assert "agency&#x27;s second release" in history.content.decode()
    when, who = queries.last_correction(operation)
    assert who == editor.get_username() and when == new.history_date


def test_last_correction_is_none_for_untouched_reference_data():
    assert queries.last_correction(Operation.objects.get(name="Operation Weka II")) is None


def test_an_earlier_figure_version_can_be_restored_and_the_preferred_value_follows(editor_client, operation, source):
    figure = operation.reported_figures.get(participation=None, metric="arrests")
    first_version = figure.history.first()
    figure.value = 150
    figure.save()
    services.refresh_preferred_figures(operation)
    url = reverse("admin:operations_reportedfigure_simple_history", args=[figure.pk, first_version.history_id])
    response = editor_client.get(url)
    assert response.status_code == 200
    data = {k: v for k, v in form_data(response).items()}
    assert editor_client.post(url, data).status_code == 302
    operation.refresh_from_db()
    assert operation.arrests == 100


def test_an_earlier_operation_version_can_be_restored(editor_client, operation):
    original = operation.history.first()
    data = form_data(editor_client.get(change_url(operation)))
    data["name"] = "Synthetic Operation Renamed"
    assert editor_client.post(change_url(operation), data).status_code == 302
    url = reverse("admin:operations_operation_simple_history", args=[operation.pk, original.history_id])
    response = editor_client.post(url, form_data(editor_client.get(url)))
    assert response.status_code == 302, errors_of(response)
    operation.refresh_from_db()
    assert operation.name == "Synthetic Operation Admin"
    assert operation.version == 2


def test_a_deleted_operation_is_recorded_and_restored_with_its_countries_and_figures(client, operation):
    admin = make_user("admin")
    client.force_login(admin)
    pk = operation.pk
    figures = sorted(ReportedFigure.objects.filter(operation=operation).values_list("pk", "value", "is_preferred"))
    client.post(reverse("admin:operations_operation_delete", args=[pk]), {"post": "yes"})
    assert Operation.history.filter(id=pk, history_type="-").get().history_user == admin
    deleted_page = client.get(reverse("admin:operations_operation_deleted"))
    assert "Synthetic Operation Admin" in deleted_page.content.decode()
    response = client.post(reverse("admin:operations_operation_deleted"), {"operation": pk})
    assert response.status_code == 302
    restored = Operation.objects.get(pk=pk)
    assert restored.participations.get().country.iso2 == "BR"
    assert sorted(ReportedFigure.objects.filter(operation=restored).values_list("pk", "value", "is_preferred")) == (
        figures
    )
    assert restored.figure("arrests") == Figure(100)
    assert restored.participations.get().figure("arrests") == Figure(40)
    assert pk not in [
        record.id for record in client.get(reverse("admin:operations_operation_deleted")).context["deleted"]
    ]


def test_only_superusers_see_and_use_the_deleted_page(editor_client):
    assert editor_client.get(reverse("admin:operations_operation_deleted")).status_code == 403


# --- Countries: read-mostly ------------------------------------------------------------------------------------------


def test_editor_adds_an_alias_but_cannot_change_the_country(editor_client):
    brazil = Country.objects.get(iso2="BR")
    url = reverse("admin:operations_country_change", args=[brazil.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "name" not in response.context["adminform"].form.fields
    data = form_data(response)
    prefix = inline_prefix(response, CountryAlias)
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data[f"{prefix}-{total - 1}-name"] = "Synthetic Brazilland"
    assert editor_client.post(url, data).status_code == 302
    assert CountryAlias.objects.get(name="Synthetic Brazilland").country == brazil
    assert editor_client.get(reverse("admin:operations_country_add")).status_code == 403


def test_an_alias_naming_another_country_is_refused(editor_client):
    brazil = Country.objects.get(iso2="BR")
    url = reverse("admin:operations_country_change", args=[brazil.pk])
    response = editor_client.get(url)
    data = form_data(response)
    prefix = inline_prefix(response, CountryAlias)
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-{total - 1}-name"] = "Argentina"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert any("already names Argentina" in e for e in errors_of(response)["countryalias.name"])


def test_every_metric_has_a_column_and_a_field():
    from operations.admin.forms import FIGURE_FIELD_NAMES
    from operations.admin.operations import OperationAdmin

    assert FIGURE_FIELD_NAMES == [f"figure_{metric.value}" for metric in METRICS]
    assert len(OperationAdmin.list_display) == 3 + len(METRICS) + 1


@pytest.mark.parametrize("direction", ["", "-"], ids=["ascending", "descending"])
def test_unknown_victims_sort_last_in_both_directions_in_the_changelist(editor_client, direction):
    from operations.admin.operations import OperationAdmin

    column = OperationAdmin.list_display.index(
        next(c for c in OperationAdmin.list_display if getattr(c, "__name__", "") == "victims_rescued")
    )
    response = editor_client.get(CHANGELIST, {"o": f"{direction}{column}"})
    values = [operation.victims_rescued for operation in response.context["cl"].result_list]
    known = [value for value in values if value is not None]
    assert None in values and known
    assert values == known + [None] * (len(values) - len(known))
    assert known == sorted(known, reverse=direction == "-")


# --- The operation list's filters, facets, date hierarchy, search; the add form's helpers ---------------------------


def changelist_names(client, params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list.values_list("name", flat=True)), response.content.decode()


def test_changelist_filters_by_year_and_exploitation_form_with_facet_counts_and_by_date(editor_client):
    from operations.models import ExploitationForm

    names, html = changelist_names(editor_client, {"year": "2022"})
    assert names == set(Operation.objects.filter(year=2022).values_list("name", flat=True))
    assert {"Operation Weka II", "Operation Storm Makers"} <= names
    # Facet counts beside each choice (ShowFacets.ALWAYS): the 2022 choice counts the 2022 operations.
    assert f"2022 ({Operation.objects.filter(year=2022).count()})" in html
    forced_labour = ExploitationForm.objects.get(slug="forced-labour")
    names, _ = changelist_names(editor_client, {"exploitation_forms__id__exact": str(forced_labour.pk)})
    assert names == set(forced_labour.operations.values_list("name", flat=True)) and names
    names, _ = changelist_names(editor_client, {"start_date__year": "2018"})
    assert names == {"Operation Libertad"} | set(
        Operation.objects.filter(start_date__year=2018).values_list("name", flat=True)
    )
    names, _ = changelist_names(editor_client, {"q": "Barbados"})  # a country's name finds its operations
    assert "Operation Libertad" in names


def test_add_form_prefills_the_slug_and_looks_countries_up_by_any_name(editor_client):
    response = editor_client.get(ADD)
    assert [field["field"].name for field in response.context["adminform"].prepopulated_fields] == ["slug"]
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "operations", "model_name": "participation", "field_name": "country", "term": "Brasil"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == [str(Country.objects.get(iso2="BR"))]


# --- Permissions on every model of the admin ------------------------------------------------------------------------


def test_editors_add_and_change_but_only_superusers_delete_on_every_admin_model(rf):
    from django.contrib.admin import site

    editor, superuser = make_user("editor"), make_user("admin")
    registered = {
        model: model_admin for model, model_admin in site._registry.items() if model._meta.app_label == "operations"
    }
    assert Operation in registered and Participation in registered and ReportedFigure in registered
    for model, model_admin in registered.items():
        for user in (editor, superuser):
            request = rf.get("/admin/")
            request.user = user
            assert model_admin.has_delete_permission(request) is user.is_superuser, (model, user)
            for inline in model_admin.get_inline_instances(request):
                assert inline.has_delete_permission(request) is user.is_superuser, (model, inline)
    request = rf.get("/admin/")
    request.user = editor
    for model in (Operation, Participation, ReportedFigure, Source):
        assert registered[model].has_add_permission(request) and registered[model].has_change_permission(request)
    assert not registered[Country].has_add_permission(request)


# --- History of country rows and sources; a deleted figure comes back from its history -----------------------------


def test_country_row_and_source_changes_are_recorded_with_who_and_reason(editor_client, editor, operation, source):
    response = editor_client.get(change_url(operation))
    data = form_data(response)
    countries = inline_prefix(response, Participation)
    data[f"{countries}-0-role"] = "command_centre"
    data["change_reason"] = "Synthetic: second release names the command centre"
    response = editor_client.post(change_url(operation), data)
    assert response.status_code == 302, errors_of(response)
    brazil = operation.participations.get(country__iso2="BR")
    new, old = brazil.history.all()[:2]
    assert new.history_user == editor and new.history_change_reason == data["change_reason"]
    assert [(c.field, c.old, c.new) for c in new.diff_against(old).changes] == [
        ("role", "participant", "command_centre")
    ]

    url = reverse("admin:operations_source_change", args=[source.pk])
    data = form_data(editor_client.get(url))
    data["title"] = "Synthetic release, corrected title"
    assert editor_client.post(url, data).status_code == 302
    record = source.history.first()
    assert record.history_user == editor and record.title == "Synthetic release, corrected title"
    assert editor_client.get(reverse("admin:operations_source_history", args=[source.pk])).status_code == 200


def test_a_deleted_figure_is_recorded_and_restored_from_its_history(client, operation, source):
    superuser = make_user("admin")
    client.force_login(superuser)
    figure = operation.reported_figures.get(participation=None, metric="arrests")
    pk = figure.pk
    response = client.post(reverse("admin:operations_reportedfigure_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.arrests is None  # the only arrests figure is gone: unknown again, not 0
    deletion = ReportedFigure.history.filter(id=pk, history_type="-").get()
    assert deletion.history_user == superuser
    history = client.get(reverse("admin:operations_reportedfigure_history", args=[pk]))
    assert history.status_code == 200
    before = ReportedFigure.history.filter(id=pk, history_type="+").get()
    url = reverse("admin:operations_reportedfigure_simple_history", args=[pk, before.history_id])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    assert ReportedFigure.objects.get(pk=pk).value == 100
    operation.refresh_from_db()
    assert operation.figure("arrests") == Figure(100)
    assert_in_sync(operation)
