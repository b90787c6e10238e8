"""Names in the order the interface language sorts them (ICU's collation through PyICU), in Python and in SQL."""

from functools import lru_cache

import icu
from django.db.models import Case, IntegerField, Value, When
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


def ordered_by_names(field, names, language=None):
    """An SQL expression ordering rows by the collation order of names computed outside the database.

    `names` maps each value of `field` (an ISO code, a slug) to the name the page shows for it; a value missing from
    it sorts last. For names the database does not hold (a country's Spanish name comes from CLDR at run time), so
    neither SQLite nor PostgreSQL can collate them: the rank is a CASE over the few hundred values."""
    ranked = sorted_by_name(names, name=names.__getitem__, language=language)
    return Case(
        *[When(**{field: value}, then=Value(rank)) for rank, value in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )
