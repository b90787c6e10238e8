"""Country mentions in a text: country names (the app's own names and aliases), demonyms and capitals in en/es/fr."""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

from ..countries import country_records

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "es", "fr")
MAX_WORDS = 7  # the longest name looked up ("saint vincent and the grenadines" is 5 words)

# A word of the text: letters and digits, apostrophes and hyphens split words ("d’Ivoire" -> "d", "Ivoire") the same
# way countries.normalize_name does, so text words and stored names compare.
WORD_RE = re.compile(r"[^\W_]+")


def fold(word: str) -> str:
    """Case- and accent-blind form of one word."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().casefold()


def words_of(text: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in WORD_RE.findall(text))


class Kind:
    NAME = "name"
    DEMONYM = "demonym"
    CAPITAL = "capital"


@dataclass(frozen=True)
class Mention:
    """A country named in the text: where (word indices and character offsets), which country, and how."""

    iso2: str
    kind: str
    first_word: int
    last_word: int  # inclusive
    start: int
    end: int
    text: str


def editor_aliases() -> dict:
    """The editors' own country aliases (CountryAlias), so a name they taught the importer is read here too."""
    from ..models import CountryAlias  # the models import this package's neighbours: read at call time

    aliases = {}
    for name, iso2 in CountryAlias.objects.values_list("name", "country__iso2"):
        key = words_of(name)
        if key and (len(key) > 1 or len(key[0]) > 3):  # ISO codes ("PER", "CAN") are words in running text
            aliases.setdefault(key, iso2)
    return aliases


def _inflect_es(word):
    """Spanish demonym forms: masculine/feminine, singular/plural (argentino, argentina, argentinos, argentinas)."""
    plain = fold(word)
    if plain.endswith("o"):
        return [word, word[:-1] + "a", word + "s", word[:-1] + "as"]
    if plain.endswith(("es", "an")) and word[-2] in "éá":  # francés, alemán
        stem = word[:-2] + plain[-2]
        return [word, stem + "a", stem + "es", stem + "as"]
    if plain.endswith("ol"):
        return [word, word + "a", word + "es", word + "as"]
    if plain.endswith("i"):
        return [word, word + "es", word + "s"]
    return [word, word + "s"]


def _inflect_fr(word):
    """French demonym forms (français, française, françaises; ivoirien, ivoirienne, ...)."""
    if word.endswith(("ais", "ois")):
        return [word, word + "e", word + "es"]
    if word.endswith(("ien", "éen")):
        return [word, word + "ne", word + "s", word + "nes"]
    if word.endswith("c"):
        return [word, word + "s", word[:-1] + "que", word[:-1] + "ques"]
    if word.endswith("e"):
        return [word, word + "s"]
    return [word, word + "e", word + "s", word + "es"]


def _inflect_en(word):
    """English demonyms used as nouns take an -s ("Indonesians", "Iraqis"); "-ese", "-ish" ones do not."""
    plain = fold(word)
    return [word, word + "s"] if plain.endswith(("an", "i", "ot", "er")) else [word]


@cache
def _data_rows(name):
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def lexicon() -> dict:
    """{folded words: (iso2, kind)}, built once per process from the library data and the data files here.

    Names: every name and alias the app stores for a country (operations/countries.py, from pycountry and
    country_converter), the CLDR names in en/es/fr and data/aliases.csv (short forms sources use). ISO codes are not
    names here: "IN", "CAN" or "PER" in running text are words."""
    entries = {}

    def add(name, iso2, kind):
        key = words_of(name)
        if not key or len(key) > MAX_WORDS:
            return
        # Two-letter keys are only kept from the curated aliases (UK, US): elsewhere they are codes or words.
        if kind != "alias" and len(key) == 1 and len(key[0]) <= 3:
            return
        entries.setdefault(key, (iso2, Kind.NAME if kind == "alias" else kind))

    for row in _data_rows("aliases.csv"):
        for name in row["names"].split("|"):
            add(name, row["iso2"], "alias")
    records = country_records()
    for record in records:
        for name in [record["name"], *record["aliases"]]:
            if name:
                add(name, record["iso2"], Kind.NAME)
    known = {record["iso2"] for record in records}  # CLDR also names regions and bodies (EU, UN): not countries
    for language in LANGUAGES:
        for iso2, name in Locale.parse(language).territories.items():
            if iso2 in known:
                add(name, iso2, Kind.NAME)
                add(re.sub(r"\s*\(.*\)", "", name), iso2, Kind.NAME)  # "Myanmar (Burma)" -> "Myanmar"
    for row in _data_rows("capitals.csv"):
        for city in row["cities"].split("|"):
            add(city, row["iso2"], Kind.CAPITAL)
    inflect = {"en": _inflect_en, "es": _inflect_es, "fr": _inflect_fr}
    for row in _data_rows("demonyms.csv"):
        for language in LANGUAGES:
            for base in row[language].split("|"):
                for form in inflect[language](base):
                    add(form, row["iso2"], Kind.DEMONYM)
    return entries


def find_mentions(text: str, extra_names: dict | None = None) -> list[Mention]:
    """Every country mention in `text`, longest match first ("South Sudan" is not "Sudan").

    `extra_names` maps folded word tuples to ISO codes (the editors' own CountryAlias rows). Names and capitals must
    start with a capital letter ("turkey", "chad", "guinea" are words); demonyms need not (French and Spanish write
    them in lower case: "la police thaïlandaise")."""
    entries = lexicon()
    words = [(match.start(), match.end(), match.group()) for match in WORD_RE.finditer(text)]
    folded = [fold(word) for _, _, word in words]
    mentions = []
    index = 0
    while index < len(words):
        found = None
        for size in range(min(MAX_WORDS, len(words) - index), 0, -1):
            key = tuple(folded[index : index + size])
            hit = entries.get(key)
            if hit is None and extra_names:
                iso2 = extra_names.get(key)
                hit = (iso2, Kind.NAME) if iso2 else None
            if hit is None:
                continue
            iso2, kind = hit
            first = words[index][2]
            if kind != Kind.DEMONYM and not first[0].isupper():
                continue
            found = Mention(
                iso2=iso2,
                kind=kind,
                first_word=index,
                last_word=index + size - 1,
                start=words[index][0],
                end=words[index + size - 1][1],
                text=text[words[index][0] : words[index + size - 1][1]],
            )
            break
        if found:
            mentions.append(found)
            index = found.last_word + 1
        else:
            index += 1
    return mentions
