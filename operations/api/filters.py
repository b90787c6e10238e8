"""The pages' FilterSets (operations/filters.py), each with `updated_since` for incremental sync, and `?sort=` by the
pages' tables: a filter or a sort key means the same in a page, its export and the API."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError as ApiValidationError

from .. import filters
from ..models import Source
from . import queries


class TimestampField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 timestamp (a date alone is its midnight; no offset is UTC), as an aware UTC datetime."""

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            value = f"{value.strip()}T00:00:00"
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):  # an offset that pushes year 1 or 9999 out of range
            raise ValidationError(_("This timestamp is out of range."), code="invalid") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class UpdatedSinceFilter(django_filters.Filter):
    """Rows written (or showing something written) at or after the timestamp, by `changed_since(queryset, moment)`."""

    field_class = TimestampField

    def __init__(self, changed_since, **kwargs):
        self.changed_since = changed_since
        kwargs.setdefault(
            "label", _("Changed at or after (ISO 8601 timestamp, e.g. 2026-12-01T00:00:00Z; UTC when no offset)")
        )
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        return queryset if value is None else self.changed_since(queryset, value)


# The pages' country filter, as the schema describes it (drf-spectacular cannot guess it from its `method=`).
extend_schema_field({"type": "string", "description": "ISO 3166-1 alpha-2 code, any case (BR, br)."})(
    filters.CountryFilter
)


class OperationApiFilter(filters.OperationFilter):
    updated_since = UpdatedSinceFilter(queries.operations_changed_since)


class ResultApiFilter(filters.ResultFilter):
    updated_since = UpdatedSinceFilter(queries.results_changed_since)


class CountryApiFilter(filters.CountryListFilter):
    updated_since = UpdatedSinceFilter(queries.countries_changed_since)


class SourceApiFilter(filters.TrackerFilterSet):
    """Sources have no page of their own: a search and the sync filter."""

    q = django_filters.CharFilter(
        method="search", label=_("Search (publisher, title, URL)"), max_length=filters.MAX_TEXT
    )
    updated_since = UpdatedSinceFilter(queries.sources_changed_since)

    class Meta:
        model = Source
        fields = []
        form = filters.FilterForm

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(publisher__icontains=value) | Q(title__icontains=value) | Q(url__icontains=value))


class DeletionFilterForm(forms.Form):
    updated_since = TimestampField(required=False, label=_("Deleted at or after"))
    kind = forms.MultipleChoiceField(choices=[(kind, kind) for kind in queries.DELETION_KINDS], required=False)


class TableSortBackend:
    """`?sort=<column>` or `?sort=-<column>`, ordered by the view's django-tables2 Table exactly as the page orders it
    (its order_by and order_FOO methods, unknown figures last both ways); an unknown key is a 400."""

    param = "sort"

    @staticmethod
    def sort_keys(view) -> list[str]:
        columns = view.table_class.base_columns
        return [
            name for name, column in columns.items() if column.orderable is not False
        ]  # None: the default, orderable

    def filter_queryset(self, request, queryset, view):
        sort = request.query_params.get(self.param)
        if not sort:
            return queryset
        keys = self.sort_keys(view)
        if sort.removeprefix("-") not in keys:
            raise ApiValidationError(
                {
                    self.param: [
                        _("Sort by one of: %(keys)s (a leading “-” for descending).") % {"keys": ", ".join(keys)}
                    ]
                }
            )
        table = view.table_class(data=queryset)
        table.order_by = sort
        return table.data.data

    def get_schema_operation_parameters(self, view):
        keys = self.sort_keys(view)
        return [
            {
                "name": self.param,
                "in": "query",
                "required": False,
                "description": "The page's sort keys; a leading `-` sorts descending. Unknown values sort last.",
                "schema": {"type": "string", "enum": [*keys, *(f"-{key}" for key in keys)]},
            }
        ]
