"""The log of exports: who exported which table, with which filters, and how many rows."""

import logging

from django.utils import timezone

from ..models import (
    ExportLog,
)

logger = logging.getLogger(__name__)


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def start_export_log(*, user, table: str, path: str, export_format: str, query: dict) -> ExportLog:
    """Record that `user` started exporting `table` with these filters; finish_export_log() adds the row count."""
    # PostgreSQL cannot store NUL in text or JSON; a query string may carry one (found by fuzzing: a 500 on PostgreSQL).
    query = {_storable(key): [_storable(value) for value in values] for key, values in query.items()}
    path = _storable(path)
    return ExportLog.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        table=table,
        path=path[:500],
        format=export_format,
        query=query,
    )


def finish_export_log(log: ExportLog, rows: int, error: BaseException | None = None) -> None:
    """Record how many rows the export sent and whether it reached the end."""
    log.row_count = rows
    log.status = ExportLog.Status.COMPLETE if error is None else ExportLog.Status.FAILED
    log.finished_at = timezone.now()
    log.save(update_fields=["row_count", "status", "finished_at"])
    if error is None:
        logger.info("export %s by %s: %d rows (%s)", log.table, log.username, rows, log.format)
    else:
        logger.warning("export %s by %s FAILED after %d rows: %r", log.table, log.username, rows, error)
