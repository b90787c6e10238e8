"""An Atom feed per interface language of new operations and corrections, for analysts who follow the field."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from .figures import Figure, Metric
from .models import Operation, Participation, ReportedFigure

ENTRIES = 50


@dataclass(frozen=True)
class Entry:
    """One feed entry: a new operation, or a person's correction of an operation, its countries or its figures."""

    guid: str
    when: datetime
    operation_id: int
    title: str
    description: str


def _operation_names(ids, records) -> dict:
    """{operation id: name}, from the operations that exist and else from their last history record (deleted)."""
    names = dict(Operation.objects.filter(pk__in=ids).values_list("pk", "name"))
    for record in records:
        names.setdefault(record.id, record.name)
    return names


def latest_entries(limit=ENTRIES) -> list[Entry]:
    """The `limit` latest new operations and corrections (a change by a person: the loader's and unattended imports'
    writes are not corrections), newest first, in the active language. Five queries."""
    new = Operation.history.filter(history_type="+")
    corrected = Operation.history.filter(history_user__isnull=False).exclude(history_type="+")
    operations = [*new.order_by("-history_date")[:limit], *corrected.order_by("-history_date")[:limit]]
    participations = list(
        Participation.history.filter(history_user__isnull=False)
        .select_related("country")
        .order_by("-history_date")[:limit]
    )
    figures = list(
        ReportedFigure.history.filter(history_user__isnull=False)
        .select_related("participation__country")
        .order_by("-history_date")[:limit]
    )
    ids = {r.id for r in operations} | {r.operation_id for r in participations} | {r.operation_id for r in figures}
    names = _operation_names(ids, operations)
    entries = []
    for record in operations:
        name = names.get(record.id, "")
        if record.history_type == "+":
            title = gettext("New operation: %(name)s") % {"name": name}
            text = record.summary or name
        elif record.history_type == "-":
            title = gettext("Operation deleted: %(name)s") % {"name": name}
            text = title
        else:
            title = gettext("Correction: %(name)s") % {"name": name}
            text = gettext("The operation's details were changed.")
        entries.append(Entry(f"operation-{record.history_id}", record.history_date, record.id, title, text))
    changes = {"+": gettext("added"), "~": gettext("changed"), "-": gettext("removed")}
    for record in participations:
        name = names.get(record.operation_id, "")
        title = gettext("Correction: %(name)s") % {"name": name}
        text = f"{record.country}: {changes[record.history_type]}"
        entries.append(Entry(f"result-{record.history_id}", record.history_date, record.operation_id, title, text))
    for record in figures:
        name = names.get(record.operation_id, "")
        title = gettext("Correction: %(name)s") % {"name": name}
        where = f" ({record.participation.country})" if record.participation_id and record.participation else ""
        figure = Figure(record.value, record.qualifier)
        text = f"{Metric(record.metric).label}{where}: {figure} ({changes[record.history_type]})"
        entries.append(Entry(f"figure-{record.history_id}", record.history_date, record.operation_id, title, text))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


class ChangesFeed(Feed):
    """The feed in the active language (the URL names it; feeds.feed activates it)."""

    feed_type = Atom1Feed

    def get_object(self, request, language):
        self.language = language
        self.slugs = {}
        return language

    def title(self):
        return gettext("Trafficking Operations Tracker: new operations and corrections")

    def subtitle(self):
        return gettext("New operations and corrections of their figures, newest first.")

    def link(self):
        return reverse("operations:home")

    def items(self):
        entries = latest_entries()
        self.slugs = dict(
            Operation.objects.filter(pk__in={entry.operation_id for entry in entries}).values_list("pk", "slug")
        )
        return entries

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.description

    def item_link(self, entry):
        slug = self.slugs.get(entry.operation_id)
        # A deleted operation has no page: the list of operations instead (the guid keeps entries apart).
        return (
            reverse("operations:operation_detail", kwargs={"slug": slug})
            if slug
            else reverse("operations:operation_list")
        )

    def item_guid(self, entry):
        return entry.guid

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.when

    def item_updateddate(self, entry):
        return entry.when
