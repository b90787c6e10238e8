"""Participation.imported_at: the date of a row an unattended import wrote without a history record (issue 19, Disk).

Nullable without a default: a plain ADD COLUMN on SQLite and PostgreSQL, no table rebuild."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0015_api_rate_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="imported_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
