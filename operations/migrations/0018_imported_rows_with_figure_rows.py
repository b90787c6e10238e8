"""Country rows an unattended import wrote before implicit reports (services.implicit) have figure rows and
`imported_at` set; `imported_at` now means "its figures are implicit", so readers would show each report twice.
Such a row gets what making its reports rows gives it today: its first history record (the row as imported, dated
`imported_at`, as at a first change) and `imported_at` cleared. Its figure rows stay. Two statements; a no-op on a
database without such rows (every database made from here on)."""

from django.db import migrations

REASON = "spreadsheet import"


def settle_imported_rows(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    participation = apps.get_model("operations", "Participation")
    history = apps.get_model("operations", "HistoricalParticipation")
    figure = apps.get_model("operations", "ReportedFigure")
    table, history_table = quote(participation._meta.db_table), quote(history._meta.db_table)
    figures = quote(figure._meta.db_table)
    tracked = {field.column for field in participation._meta.concrete_fields}
    copied = [field.column for field in history._meta.concrete_fields if field.column in tracked]
    stamp = ("history_date", "history_type", "history_change_reason", "history_user_id")
    settled = (
        f"r.{quote('imported_at')} IS NOT NULL AND EXISTS (SELECT 1 FROM {figures} f"
        f" WHERE f.{quote('participation_id')} = r.{quote('id')})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history_table} ({', '.join(map(quote, [*copied, *stamp]))})"
            f" SELECT {', '.join('r.' + quote(column) for column in copied)}, r.{quote('imported_at')}, '+', %s, NULL"
            f" FROM {table} r WHERE {settled}"
            f" AND NOT EXISTS (SELECT 1 FROM {history_table} h WHERE h.{quote('id')} = r.{quote('id')})",
            [REASON],
        )
        cursor.execute(f"UPDATE {table} AS r SET {quote('imported_at')} = NULL WHERE {settled}")


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0017_lean_source_indexes_and_or_checks"),
    ]

    operations = [
        migrations.RunPython(settle_imported_rows, migrations.RunPython.noop, elidable=True),
    ]
