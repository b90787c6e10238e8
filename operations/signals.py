"""Safety-net receivers: a save or delete of anything the pages show notes it for the refresh (services.refresh).

The write paths run in services.changes(), which refreshes the kept totals and the data version once, before its
transaction commits; these receivers note what a save or delete touched, the services' own and those outside them
(a shell's `participation.save()`, cascades). Outside a changes() block the note refreshes at once.
Bulk writes (bulk_create, bulk_update, QuerySet.update) send no signals: code that uses them notes the change itself
(services.data_changed(), services.refresh_country_totals(); the importer and the benchmark loader do).
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import services
from .models import (
    Country,
    CountryAlias,
    ExploitationForm,
    Operation,
    Participation,
    ReportedFigure,
    Source,
)

# What the pages show: a save or delete of any of these gives the data a new version (services.data_changed), so no
# cached table or chart outlives it. Bulk writes send no signals; the services that make them call it themselves.
SHOWN_MODELS = (Country, CountryAlias, ExploitationForm, Operation, Participation, ReportedFigure, Source)


@receiver(post_save, dispatch_uid="shown_data_saved")
@receiver(post_delete, dispatch_uid="shown_data_deleted")
@receiver(m2m_changed, dispatch_uid="shown_links_changed")
def shown_data_changed(sender, action="post", **kwargs):
    # m2m_changed's sender is the link table (an operation's sources, its forms of exploitation).
    linked = sender._meta.auto_created and sender._meta.app_label == "operations"
    if (sender in SHOWN_MODELS or linked) and action.startswith("post"):
        services.data_changed()


@receiver(pre_save, sender=Participation, dispatch_uid="participation_remember_country")
def remember_country(sender, instance, raw=False, **kwargs):
    """Note the country a participation had, so moving it to another country refreshes both countries' totals."""
    if raw or instance.pk is None:
        return
    instance._previous_country_id = (
        Participation.objects.filter(pk=instance.pk).values_list("country_id", flat=True).first()
    )


@receiver(post_save, sender=Participation, dispatch_uid="participation_saved_refresh_totals")
def participation_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: `manage.py rebuild_totals` afterwards
        return
    services.refresh_country_totals([instance.country_id, getattr(instance, "_previous_country_id", None)])


@receiver(post_delete, sender=Participation, dispatch_uid="participation_deleted_refresh_totals")
def participation_deleted(sender, instance, **kwargs):
    services.refresh_country_totals([instance.country_id])


# Implicit reports (services.implicit): a figure row saved for a country row whose figures are implicit (a shell's
# save(), the admin's figure form) first makes them rows, or the new row would hide them. Nothing else needs to: a
# country row's own save or deletion carries its implicit reports with it (they are its columns), and the refreshes
# of the preferred columns leave such rows alone.
@receiver(pre_save, sender=ReportedFigure, dispatch_uid="figure_implicit_reports_before_save")
def implicit_reports_before_save(sender, instance, raw=False, **kwargs):
    if not raw:
        services.materialize_reports([instance.operation_id])


# History on first change (services.COPY_ON_WRITE): a row an unattended import wrote without a history record gets its
# first version written just before it is first saved or deleted. Only such rows can lack one, so others cost no query.
@receiver(pre_save, sender=Participation, dispatch_uid="participation_first_version_before_save")
@receiver(pre_save, sender=ReportedFigure, dispatch_uid="figure_first_version_before_save")
def first_version_before_save(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding and services.COPY_ON_WRITE[sender].may_lack_history(instance):
        services.write_baselines(sender, ids=[instance.pk])


@receiver(pre_delete, sender=Participation, dispatch_uid="participation_first_version_before_delete")
@receiver(pre_delete, sender=ReportedFigure, dispatch_uid="figure_first_version_before_delete")
def first_version_before_delete(sender, instance, origin=None, **kwargs):
    deleted = _deleted_model(origin)
    # Deleted with its operation (or a figure with its country row): cascade_first_versions() wrote them all.
    if deleted in (Operation, Participation) and deleted is not sender:
        return
    if services.COPY_ON_WRITE[sender].may_lack_history(instance):
        services.write_baselines(sender, ids=[instance.pk])


@receiver(pre_delete, sender=Operation, dispatch_uid="operation_first_versions_before_cascade")
@receiver(pre_delete, sender=Participation, dispatch_uid="participation_first_versions_before_cascade")
def cascade_first_versions(sender, instance, origin=None, **kwargs):
    """The first versions of the rows a deletion cascades to, in one query per table."""
    if sender is Participation and _deleted_model(origin) is Operation:
        return  # its operation's receiver wrote its figures' too
    if sender is Operation:
        services.write_baselines(Participation, queryset=Participation.objects.filter(operation_id=instance.pk))
    key = "operation_id" if sender is Operation else "participation_id"
    services.write_baselines(ReportedFigure, queryset=ReportedFigure.objects.filter(**{key: instance.pk}))


def _deleted_model(origin):
    """The model whose deletion started a cascade: `origin` is the instance or the queryset delete() was called on."""
    return origin.model if isinstance(origin, QuerySet) else type(origin)
