"""Fill the denormalised source of every preferred figure (added by 0008) from the preferred ReportedFigure.

A separate migration from 0008 so that, on PostgreSQL, the rows are updated in a transaction of their own, after the
new columns and their foreign keys exist (updating rows and altering the same table in one transaction can fail there
with "pending trigger events"). One UPDATE with a correlated subquery per metric and table: plain ORM, so the same
migration runs on SQLite and PostgreSQL, and no row is loaded into Python (a million participations take seconds).
Reversing it changes nothing: reversing 0008 then drops the columns."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# The metrics as they were when this migration was written (a migration must not follow later changes of the code).
METRICS = ("victims_rescued", "arrests", "investigations_opened", "migrants_identified")


def fill_sources(apps, schema_editor):
    ReportedFigure = apps.get_model("operations", "ReportedFigure")
    slots = {
        # An operation's own figures are the ones without a participation; a country's are its participation's.
        "Operation": {"operation": OuterRef("pk"), "participation__isnull": True},
        "Participation": {"participation": OuterRef("pk")},
    }
    for model_name, slot in slots.items():
        model = apps.get_model("operations", model_name)
        for metric in METRICS:
            preferred = ReportedFigure.objects.filter(metric=metric, is_preferred=True, **slot).order_by()
            # At most one preferred figure per slot (unique constraints), so [:1] is that figure.
            source = Subquery(preferred.values("source_id")[:1])
            model.objects.filter(**{f"{metric}__isnull": False}).update(**{f"{metric}_source": source})


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0008_preferred_figure_sources"),
    ]

    operations = [
        migrations.RunPython(fill_sources, migrations.RunPython.noop, elidable=False),
    ]
