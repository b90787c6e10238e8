"""Names in the order the interface language sorts them (ICU's collation through PyICU), in Python and in SQL."""

from functools import lru_cache

import icu
from django.db.models import F, Func, IntegerField
from django.utils.translation import get_language


def _language(language=None):
    return (language or get_language() or "en").split("-")[0]


@lru_cache(maxsize=8)
def _collator(language):
    # ICU's rules for the language (CLDR): accents and case count only after the letters ("Côte d'Ivoire" before
    # "Czechia"), Spanish "ñ" after "n". A collator is immutable once made, and ICU's const methods are thread-safe.
    return icu.Collator.createInstance(icu.Locale(language))


def sort_key(text, language=None) -> bytes:
    """The collation key of `text` in `language` (the active language by default): compare keys, not strings."""
    return _collator(_language(language)).getSortKey(str(text))


def sorted_by_name(items, name=str, language=None):
    """`items` in the collation order of `name(item)` in the interface language."""
    collator = _collator(_language(language))
    return sorted(items, key=lambda item: collator.getSortKey(str(name(item))))


class _Rank(Func):
    """`CASE field WHEN value THEN rank … ELSE n END` with its SQL written once: Django's Case(When(…) × 250) is
    resolved and compiled anew for every query, which cost ~3 ms a query and made the country select and the sorted
    tables the slowest part of an uncached page (profiled on the peer benchmark's medium data)."""

    output_field = IntegerField()

    def __init__(self, field, ranked):
        super().__init__(F(field))
        self.ranked = tuple(ranked)
        self.whens = " ".join(f"WHEN %s THEN {rank}" for rank in range(len(self.ranked)))

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"CASE {column} {self.whens} ELSE {len(self.ranked)} END", (*params, *self.ranked)


def ordered_by_names(field, names, language=None):
    """An SQL expression ordering rows by the collation order of names computed outside the database.

    `names` maps each value of `field` (an ISO code, a slug) to the name the page shows for it; a value missing from
    it sorts last. For names the database does not hold (a country's Spanish name comes from CLDR at run time), so
    neither SQLite nor PostgreSQL can collate them: the rank is a CASE over the few hundred values."""
    return _Rank(field, sorted_by_name(names, name=names.__getitem__, language=language))
