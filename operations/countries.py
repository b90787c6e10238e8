"""Country reference data from maintained libraries (pycountry, country_converter) and resolving names to countries."""

import csv
import gettext
import importlib.util
import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import pycountry
from django.utils.translation import get_language

from .collation import ordered_by_names

# Names sources use that neither library knows (seen in the reference data). Keep this list short: prefer aliases
# an editor adds in the admin.
EXTRA_ALIASES = {
    "RU": ["Rusia"],  # Spanish short name; pycountry's Spanish catalogue only has "Federación Rusa".
    "CI": ["Costa de Marfil"],
    "US": [
        "EEUU",
        "EE. UU.",
    ],  # Spanish abbreviation for Estados Unidos.  # pycountry's Spanish catalogue spells it "Costa de Marfíl".
}

TRANSLATED_LANGUAGES = ("es", "fr")


def normalize_name(name: str) -> str:
    """Case-, accent- and punctuation-blind key: "Côte d'Ivoire" and "cote divoire" meet; a leading "the" is dropped."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@cache
def _converter_rows():
    """country_converter's data file (UN M49 region per ISO3 and its name patterns), read without importing pandas."""
    spec = importlib.util.find_spec("country_converter")
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with path.open(encoding="utf-8") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t") if row["ISO3"]}


@cache
def _translations(language):
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_records():
    """Every ISO 3166-1 country (plus Kosovo, XK, which sources name and ISO leaves user-assigned), as dicts."""
    rows = _converter_rows()
    records = []
    seen = set()
    for country in pycountry.countries:
        row = rows.get(country.alpha_3, {})
        names = [country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")]
        translated = [
            _translations(language).gettext(name) for language in TRANSLATED_LANGUAGES for name in names if name
        ]
        records.append(
            {
                "iso2": country.alpha_2,
                "iso3": country.alpha_3,
                "name": row.get("name_short") or getattr(country, "common_name", None) or country.name,
                "region": _region(row),
                "subregion": row.get("UNregion", "") if _region(row) else "",
                "aliases": [*names, row.get("name_official", ""), *translated, *EXTRA_ALIASES.get(country.alpha_2, [])],
            }
        )
        seen.add(country.alpha_3)
    for iso3, row in rows.items():
        if iso3 not in seen and row.get("ISO2") == "XK":
            records.append(
                {
                    "iso2": "XK",
                    "iso3": iso3,
                    "name": row["name_short"],
                    "region": _region(row),
                    "subregion": row["UNregion"],
                    "aliases": [row["name_official"]],
                }
            )
    return records


def _region(row):
    continent = row.get("continent", "")
    return {"America": "Americas", "Antarctica": ""}.get(continent, continent)


@cache
def _name_patterns():
    """(compiled pattern, ISO3) from country_converter: a maintained list of the ways countries are written."""
    return [(re.compile(row["regex"], re.IGNORECASE), iso3) for iso3, row in _converter_rows().items() if row["regex"]]


def match_pattern(name: str) -> str | None:
    """The ISO3 code whose name pattern matches, or None when none or several do (ambiguous is not a match)."""
    text = name.strip().lower()
    matches = {iso3 for pattern, iso3 in _name_patterns() if pattern.search(text)}
    return matches.pop() if len(matches) == 1 else None


def sync_countries(Country, CountryAlias):
    """Create or update every country and its library-provided aliases. Idempotent; model classes are passed in so
    that a data migration can call it with historical models."""
    existing = {country.iso2: country for country in Country.objects.all()}
    taken = set(CountryAlias.objects.values_list("normalized", flat=True))
    new_aliases = []
    for record in country_records():
        fields = {key: record[key] for key in ("iso3", "name", "region", "subregion")}
        country = existing.get(record["iso2"])
        if country is None:
            country = Country.objects.create(iso2=record["iso2"], **fields)
        elif any(getattr(country, key) != value for key, value in fields.items()):
            Country.objects.filter(pk=country.pk).update(**fields)
        for alias in [record["iso2"], record["iso3"], record["name"], *record["aliases"]]:
            key = normalize_name(alias or "")
            if key and key not in taken:
                taken.add(key)
                new_aliases.append(CountryAlias(country=country, name=alias, normalized=key))
    CountryAlias.objects.bulk_create(new_aliases)


class CountryResolver:
    """Resolves the names sources use ("Brasil", "Ivory Coast", "the Netherlands", "BR") to Country rows.

    Built from every country and every alias's (normalized name, country id), read once (queries.country_resolver()),
    so resolving the thousands of cells of an import costs two queries in all. This module reads no model itself:
    models.py imports it."""

    def __init__(self, countries, aliases):
        countries = {country.pk: country for country in countries}
        self._by_iso3 = {country.iso3: country for country in countries.values()}
        self._by_alias = {normalized: countries[country_id] for normalized, country_id in aliases}

    def resolve(self, name: str):
        """The country the name means, or None if unknown or ambiguous."""
        if not name or not name.strip():
            return None
        country = self._by_alias.get(normalize_name(name))
        if country is None:
            iso3 = match_pattern(name)
            country = self._by_iso3.get(iso3) if iso3 else None
        return country


@cache
def _iso_msgids():
    """ISO code -> the English names pycountry's catalogues translate (common name first, then the ISO name)."""
    return {
        country.alpha_2: [name for name in (getattr(country, "common_name", None), country.name) if name]
        for country in pycountry.countries
    }


# CLDR's names of countries and UN M49 regions in the interface languages, written from Babel by
# tools/build_cldr_names.py: Babel's Locale.territories loads the language's whole locale data (and root's) and
# keeps it, ~6 MB in every server process for 900 names (docs/performance.md "Memory").
CLDR_NAMES_FILE = Path(__file__).resolve().parent / "data" / "cldr_names.json"


@cache
def _cldr_file():
    return json.loads(CLDR_NAMES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _cldr_names(language):
    """ISO code -> the country's name in `language` from the Unicode CLDR (Babel): the names the language's own
    style guides use ("Argelia", "Côte d’Ivoire", "Antigua y Barbuda"), where pycountry's catalogues have gaps
    (Spanish "Algeria", "Costa de Marfíl") and official long forms ("Federación Rusa"). A language the file does not
    hold is read from Babel."""
    names = _cldr_file().get(language)
    if isinstance(names, dict):
        return names
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def localized_name(iso2: str, english: str, language: str | None) -> str:
    """The country's name in the interface language: CLDR's, else pycountry's translation, else English."""
    if not language or language.startswith("en"):
        return english
    language = language.split("-")[0]
    name = _cldr_names(language).get(iso2)
    if name:
        return name
    catalogue = _translations(language)
    for msgid in _iso_msgids().get(iso2, []):
        translated = catalogue.gettext(msgid)
        if translated != msgid:
            return translated
    return english


# UN M49 sub-regions whose English name in the UN's list differs from CLDR's English one (same M49 code).
_UN_SUBREGION_CODES = {"Australia and New Zealand": "053", "Micronesia": "057", "South-eastern Asia": "035"}


@lru_cache(maxsize=1)
def _subregion_codes():
    """UN M49 sub-region name (as `Country.subregion` holds it) -> its M49 code, from CLDR's English names."""
    english = _cldr_names("en")
    return {**{name: code for code, name in english.items() if code.isdigit()}, **_UN_SUBREGION_CODES}


def localized_subregion(english: str, language: str | None) -> str:
    """The UN M49 sub-region's name in the interface language ("Europa meridional"), from CLDR; English as stored."""
    if not english or not language or language.startswith("en"):
        return english
    code = _subregion_codes().get(english)
    return _cldr_names(language.split("-")[0]).get(code, english) if code else english


@lru_cache(maxsize=8)
def _names_by_code(language):
    return {record["iso2"]: localized_name(record["iso2"], record["name"], language) for record in country_records()}


@lru_cache(maxsize=32)
def _name_order(field, language):
    return ordered_by_names(field, _names_by_code(language), language)


def name_order(field="iso2", language=None):
    """An order_by() expression: countries (or rows of a country: field="country__iso2") by their names in the
    interface language, as ICU collates that language ("Côte d'Ivoire" before "Czechia", "Emiratos" before "España")."""
    return _name_order(field, (language or get_language() or "en").split("-")[0])
