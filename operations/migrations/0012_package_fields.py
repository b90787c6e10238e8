"""Fields the data package (v2) carries: a source's key and language, an operation's facts source, a participation's
source, a reported figure's stated_as and note."""

import re

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def fill_source_keys(apps, schema_editor):
    """Every stored source gets a key (publisher and date, unique), as Source.save() gives new ones."""
    Source = apps.get_model("operations", "Source")
    taken = set()
    for source in Source.objects.order_by("pk"):
        text = f"{source.publisher} {source.published.isoformat() if source.published else ''}"
        base = "-".join(re.findall(r"[a-z0-9]+", slugify(text)))[:80] or "source"
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        taken.add(key)
        source.key = key
        source.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0011_result_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaloperation",
            name="facts_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The page that gives the operation's dates, area and coordinator.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="operations.source",
                verbose_name="source of the facts",
            ),
        ),
        migrations.AddField(
            model_name="historicalparticipation",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The page that names this country as taking part; empty if none is stored.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="operations.source",
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="historicalreportedfigure",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="What the source's number counts, where the metric does not say it.",
                verbose_name="note",
            ),
        ),
        migrations.AddField(
            model_name="historicalreportedfigure",
            name="stated_as",
            field=models.CharField(blank=True, max_length=100, verbose_name="stated as"),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="key",
            field=models.SlugField(
                blank=True,
                help_text="Short stable name of the source in data packages; made from the publisher and date if empty.",
                max_length=100,
                verbose_name="key",
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="language",
            field=models.CharField(
                blank=True, help_text="ISO 639-1 code: en, es, fr.", max_length=8, verbose_name="language"
            ),
        ),
        migrations.AddField(
            model_name="operation",
            name="facts_source",
            field=models.ForeignKey(
                blank=True,
                help_text="The page that gives the operation's dates, area and coordinator.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="operations.source",
                verbose_name="source of the facts",
            ),
        ),
        migrations.AddField(
            model_name="participation",
            name="source",
            field=models.ForeignKey(
                blank=True,
                help_text="The page that names this country as taking part; empty if none is stored.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="operations.source",
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="reportedfigure",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="What the source's number counts, where the metric does not say it.",
                verbose_name="note",
            ),
        ),
        migrations.AddField(
            model_name="reportedfigure",
            name="stated_as",
            field=models.CharField(blank=True, max_length=100, verbose_name="stated as"),
        ),
        # Added plain, filled with a unique key per existing source, then made unique.
        migrations.AddField(
            model_name="source",
            name="key",
            field=models.SlugField(blank=True, default="", max_length=100, db_index=False, verbose_name="key"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_source_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="source",
            name="key",
            field=models.SlugField(
                blank=True,
                help_text="Short stable name of the source in data packages; made from the publisher and date if empty.",
                max_length=100,
                unique=True,
                verbose_name="key",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="language",
            field=models.CharField(
                blank=True, help_text="ISO 639-1 code: en, es, fr.", max_length=8, verbose_name="language"
            ),
        ),
    ]
