"""Keep the results table's default order (operation start date, latest first, unknown last; then operation name) on
each participation, filled from its operation, with one index that gives it."""

import datetime

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_result_order(apps, schema_editor):
    Participation = apps.get_model("operations", "Participation")
    Operation = apps.get_model("operations", "Operation")
    operation = Operation.objects.filter(pk=OuterRef("operation_id"))
    Participation.objects.update(
        operation_sort_date=Coalesce(
            Subquery(operation.values("start_date")[:1]), Value(datetime.date.min), output_field=models.DateField()
        ),
        operation_name=Subquery(operation.values("name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0010_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="operation_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="participation",
            name="operation_sort_date",
            field=models.DateField(default=datetime.date(1, 1, 1), editable=False),
        ),
        migrations.RunPython(fill_result_order, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["-operation_sort_date", "operation_name", "id"], name="participation_result_order"
            ),
        ),
    ]
