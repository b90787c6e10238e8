"""Changelist columns showing an operation's or a country row's figures, unknown ones last in both directions."""

from django.contrib import admin
from django.db.models import F, OrderBy


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
