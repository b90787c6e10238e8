"""Keyset ("cursor") pagination in any sort order the tables offer: each page is one indexed query, however deep.

DRF's CursorPagination keys on one field and cannot follow the tables' `NULLS LAST` orders; here the cursor holds the
last row's value of every ORDER BY term (the primary key last, so positions are unique), and the next page is the rows
after it: (a > x) OR (a = x AND b > y) OR ..., where an unknown (NULL) value sorts after every known one both ways.
The cursor is signed, so a client can hand back only what the API gave it."""

import datetime
from dataclasses import dataclass
from functools import partial

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.utils.urls import replace_query_param

SALT = "operations.api.cursor"


@dataclass(frozen=True)
class Term:
    """One ORDER BY term: a field path (or annotation), its direction, whether it can be NULL."""

    path: str
    descending: bool
    nullable: bool

    def order(self):
        expression = F(self.path)
        if self.nullable:
            return expression.desc(nulls_last=True) if self.descending else expression.asc(nulls_last=True)
        return expression.desc() if self.descending else expression.asc()


def _nullable(model, path) -> bool:
    """Whether a path through model fields can be NULL; annotations count as nullable."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # an annotation (a total, a count)
            return True
        if field.is_relation:
            if field.null:
                return True
            model = field.related_model
    return field is None or field.null


def with_named_orders(queryset):
    """The queryset with each ORDER BY expression (such as a collation's CASE over country codes) made an annotation,
    so that a cursor can key on its value like on a field's."""
    items, annotations = [], {}
    for index, item in enumerate(queryset.query.order_by):
        if isinstance(item, str) or (isinstance(item, OrderBy) and isinstance(item.expression, F)):
            items.append(item)
            continue
        descending = isinstance(item, OrderBy) and item.descending
        annotations[f"order_{index}"] = item.expression if isinstance(item, OrderBy) else item
        items.append(f"-order_{index}" if descending else f"order_{index}")
    return queryset.annotate(**annotations).order_by(*items) if annotations else queryset


def order_terms(queryset) -> list[Term]:
    """The queryset's ORDER BY as Terms, ending with the primary key (added in the last term's direction)."""
    model = queryset.model
    terms = []
    for item in queryset.query.order_by or model._meta.ordering:
        if isinstance(item, str):
            descending, path = item.startswith("-"), item.lstrip("-")
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, path = item.descending, item.expression.name
        else:  # an expression this pagination does not know how to compare
            raise TypeError(f"cannot paginate by {item!r}")
        if path == "pk":
            path = model._meta.pk.name
        terms.append(Term(path, descending, _nullable(model, path)))
        if path == model._meta.pk.name:
            return terms  # the rest cannot change the order of rows
    terms.append(Term(model._meta.pk.name, terms[-1].descending if terms else False, False))
    return terms


def rows_after(terms, values) -> Q:
    """The rows that come after the row whose key is `values`, in `terms`' order (NULLs last both ways)."""
    after, same_so_far = [], Q()
    for term, value in zip(terms, values, strict=True):
        if value is None:
            equal = Q(**{f"{term.path}__isnull": True})
        else:
            further = Q(**{f"{term.path}__{'lt' if term.descending else 'gt'}": value})
            if term.nullable:
                further |= Q(**{f"{term.path}__isnull": True})
            after.append(same_so_far & further)
            equal = Q(**{term.path: value})
        same_so_far &= equal
    condition = Q(pk__in=[])
    for part in after:
        condition |= part
    first, value = terms[0], values[0]
    if value is not None:
        # The same set, with the first term as a range the database can seek an index to (else each page would scan
        # every row before the cursor).
        bound = Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": value})
        if first.nullable:
            bound |= Q(**{f"{first.path}__isnull": True})
        condition &= bound
    return condition


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


class KeysetPagination(BasePagination):
    """`?cursor=` (from the previous page's `next`) and `?page_size=`; pages hold `page_size` rows, no total count
    (counting a million rows per page would cost more than the page)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 100
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        queryset = with_named_orders(queryset)
        terms = order_terms(queryset)
        signature = [(term.path, term.descending) for term in terms]
        keys = {f"keyset_{index}": F(term.path) for index, term in enumerate(terms)}
        queryset = queryset.annotate(**keys).order_by(*(term.order() for term in terms))
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            values = self.decode(cursor, signature)
            queryset = queryset.filter(rows_after(terms, values))
        row_values = getattr(view, "row_values", None)
        if row_values:  # the view writes its rows from dicts
            queryset = queryset.prefetch_related(None).values(*row_values, *keys)
        rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = None
        if self.has_next:
            last = rows[-1]
            key_of = last.__getitem__ if row_values else partial(getattr, last)
            self.next_cursor = self.encode([key_of(name) for name in keys], signature)
        return rows

    @staticmethod
    def encode(values, signature) -> str:
        """A cursor: the last row's key `values` under the order's `signature`, signed."""
        payload = {"o": [list(pair) for pair in signature], "v": [_json_value(value) for value in values]}
        return signing.dumps(payload, salt=SALT, compress=True)

    def decode(self, cursor, signature) -> list:
        """The key values of a cursor this API gave out for the same order; else a 400 naming `cursor`."""
        try:
            payload = signing.loads(cursor, salt=SALT)
        except signing.BadSignature:
            raise ValidationError({self.cursor_query_param: [_("Not a cursor this API gave out.")]}) from None
        if payload.get("o") != [list(pair) for pair in signature]:
            raise ValidationError(
                {self.cursor_query_param: [_("This cursor belongs to another sort order; start again without it.")]}
            )
        return payload["v"]

    def get_next_link(self):
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["meta", "next", "results"],
            "properties": {
                "meta": {"$ref": "#/components/schemas/ResponseMeta"},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "The `next` link of the previous page carries it; leave it out for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); more than "
                f"{view.open_page_size} is a bulk download, which needs the export permission.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
