"""Issue 19, Disk and import speed: figures' and country rows' source indexes dropped (only deleting a source reads
by them); the figures' known-metric and known-qualifier checks as OR chains (SQLite re-builds an IN list per row).

Rebuilds the figures table on SQLite (10.5 s at medium, 308,306 figures, load ~5)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0016_participation_imported_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reportedfigure",
            name="figure_known_qualifier",
        ),
        migrations.RemoveConstraint(
            model_name="reportedfigure",
            name="figure_known_metric",
        ),
        migrations.AlterField(
            model_name="participation",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The page that names this country as taking part; empty if none is stored.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="operations.source",
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="reportedfigure",
            name="source",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="figures",
                to="operations.source",
                verbose_name="source",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportedfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("qualifier", "exact"),
                    ("qualifier", "approx"),
                    ("qualifier", "at_least"),
                    ("qualifier", "more_than"),
                    _connector="OR",
                ),
                name="figure_known_qualifier",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportedfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("metric", "victims_rescued"),
                    ("metric", "arrests"),
                    ("metric", "investigations_opened"),
                    ("metric", "migrants_identified"),
                    _connector="OR",
                ),
                name="figure_known_metric",
            ),
        ),
    ]
