"""Safety-net receivers: a Participation saved or deleted outside services.py still refreshes the kept country totals.

The services (refresh_preferred_figures, delete_participation, delete_operation) refresh the totals themselves; these
receivers catch direct `participation.save()` / `.delete()` calls and cascades (an operation deleted in a shell).
Inside services.deferred_country_totals() they only note the country, so a cascade regroups each country once.
Bulk writes (bulk_create, bulk_update, QuerySet.update) send no signals: code that uses them calls
services.refresh_country_totals() itself (the importer and the benchmark loader do).
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import services
from .models import Participation


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
    services.country_totals_changed([instance.country_id, getattr(instance, "_previous_country_id", None)])


@receiver(post_delete, sender=Participation, dispatch_uid="participation_deleted_refresh_totals")
def participation_deleted(sender, instance, **kwargs):
    services.country_totals_changed([instance.country_id])
