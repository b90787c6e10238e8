"""Changelist columns showing an operation's or a country row's figures, unknown ones last in both directions."""

from django.contrib import admin
from django.db.models import F, OrderBy
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _


class NullsLast(OrderBy):
    """Column ordering that keeps unknown figures last in both directions: the admin reverses an OrderBy for a
    descending sort, and Django's reverse_ordering() would turn nulls_last into nulls_first."""

    def reverse_ordering(self):
        self.descending = not self.descending
        return self


def figure_column(metric):
    @admin.display(description=metric.label, ordering=NullsLast(F(metric.value), nulls_last=True))
    def column(operation):
        return str(operation.figure(metric))

    column.__name__ = metric.value
    return column


@admin.display(description=_("coordinator"), ordering="coordinator")
def coordinator_column(operation):
    """The coordinator's description up to its 14th word (a few lines, not 10 to 15 in a narrow column); the whole
    text in the tooltip and on the change page."""
    if not operation.coordinator:
        return "—"
    return format_html('<span title="{}">{}</span>', operation.coordinator, Truncator(operation.coordinator).words(14))
