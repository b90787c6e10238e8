"""Number phrases in running text: digits with each language's separators, number words (text2num), mixed forms
("4 mil 419", "two dozen", "une centaine") and the qualifier printed before them ("nearly", "más de", "250+")."""

import re
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import text2num

from ..figures import QUALIFIER_WORDS, Qualifier

# Digits grouped by one separator used consistently ("2,517", "2.517", "2 517", "15'000"), or plain digits. A group
# is exactly three digits, so "1.6" is a decimal, never 16. Not glued to letters or to other digits: "lorry 2Human",
# "16shop", "12h21" and "28/11/2023" are not counts.
_GROUPED = r"\d{1,3}(?:,\d{3})+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:['’]\d{3})+"
DIGITS_RE = re.compile(
    rf"(?<![\w/.,])(?P<int>{_GROUPED}|\d+)(?:(?P<dec>[.,])(?P<frac>\d{{1,2}})(?!\d))?(?P<plus>\+)?(?![\w/]|[.,]\d)"
)

# Scale words after digits or number words: "15 millones", "1.6 million", "3 mil", "4 mil 419" (Spanish writes the
# thousands as a word and the rest in digits).
SCALES = {
    "thousand": 1_000,
    "mil": 1_000,
    "mille": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "millón": 1_000_000,
    "millon": 1_000_000,
    "millones": 1_000_000,
    "billion": 1_000_000_000,
}
_SCALE_RE = re.compile(
    r"\s+(?P<scale>thousand|million|millions|millón|millon|millones|billion|mil|mille)\b(?:\s+(?P<rest>\d{1,3})\b(?![.,]\d))?",
    re.I,
)

# French and Spanish approximate counts: "une centaine" is about 100 (the guide's qualifier `approx`). Plural forms
# ("des centaines", "cientos", "hundreds of") are vague quantities, not figures, and are not read.
APPROXIMATIVES = {
    "dizaine": 10,
    "douzaine": 12,
    "quinzaine": 15,
    "vingtaine": 20,
    "trentaine": 30,
    "quarantaine": 40,
    "cinquantaine": 50,
    "soixantaine": 60,
    "centaine": 100,
    "millier": 1000,
    "decena": 10,
    "docena": 12,
    "veintena": 20,
    "treintena": 30,
    "centenar": 100,
    "millar": 1000,
}
_APPROXIMATIVE_RE = re.compile(rf"\b(?:une|un|una)\s+(?P<word>{'|'.join(APPROXIMATIVES)})\b(?!s)", re.I)
_DOZEN_RE = re.compile(r"\bdozen\b(?!s)", re.I)

# A word run that may be a number in words: letters joined by hyphens, separated by spaces or "and"/"y"/"et".
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_JOINERS = {"and", "y", "et"}
# Indefinite articles are numbers for text2num but never figures ("a man", "una persona", "un réseau").
_NOT_NUMBERS = {"un", "une", "una", "uno", "unos", "unas", "a", "an", "i", "o"}

# The qualifier is printed just before the number ("nearly 350", "más de 3.000", "près de 700"), possibly with an
# article in between ("the total of"); the words are the importer's (operations/figures.py), one list for both.
_QUALIFIER_RE = re.compile(
    rf"(?:^|[^\w])(?P<word>{'|'.join(f'(?:{pattern})' for _, pattern in QUALIFIER_WORDS)}|upwards of|an estimated"
    r"|estimated|no fewer than|a minimum of|au minimum|approximativement)\s*[“\"«]?\s*$",
    re.I,
)
_QUALIFIER_OF = {}


@dataclass(frozen=True)
class NumberPhrase:
    """A number as printed: its value, qualifier and where it sits (`start`/`end` cover the qualifier too)."""

    value: int
    qualifier: str
    start: int
    end: int
    number_start: int
    number_end: int
    text: str
    in_words: bool = False

    @property
    def is_round(self) -> bool:
        return self.value >= 10 and self.value % 10 == 0


@lru_cache(maxsize=4096)
def word_value(phrase: str, language: str) -> int | None:
    """The value of a number in words ("Twenty-two", "Cent-cinquante-huit", "doscientos"), or None."""
    if phrase.casefold() in _NOT_NUMBERS:
        return None
    try:
        return text2num(phrase.casefold(), language)
    except ValueError:
        return None


def qualifier_before(text: str, start: int) -> tuple[str, int]:
    """The qualifier printed before position `start`, and where that qualifier begins (`start` when none)."""
    window = text[max(0, start - 40) : start]
    match = _QUALIFIER_RE.search(window)
    if not match:
        return Qualifier.EXACT, start
    word = match["word"].casefold()
    qualifier = _QUALIFIER_OF.get(word)
    if qualifier is None:
        qualifier = next(
            (q for q, pattern in QUALIFIER_WORDS if re.fullmatch(pattern, word, re.IGNORECASE)), Qualifier.APPROX
        )
        if word in {"upwards of"}:
            qualifier = Qualifier.MORE_THAN
        elif word in {"no fewer than", "a minimum of", "au minimum"}:
            qualifier = Qualifier.AT_LEAST
        _QUALIFIER_OF[word] = qualifier
    return qualifier, start - len(window) + match.start("word")


def _digits_value(match, language: str) -> tuple[int, bool]:
    """(integer value, has decimals) of a digits match; a decimal only counts before a scale word."""
    integer = int(re.sub(r"\D", "", match["int"]))
    return integer, match["frac"] is not None


def find_numbers(text: str, language: str = "en") -> list[NumberPhrase]:
    """Every number phrase in `text`, in order, with its qualifier."""
    found = []
    taken = []  # character spans already read, so words inside "cuatro mil" are not read again

    def overlaps(start, end):
        return any(start < other_end and other_start < end for other_start, other_end in taken)

    def add(value, number_start, number_end, in_words=False, qualifier=None):
        if overlaps(number_start, number_end):
            return
        stated_qualifier, start = qualifier_before(text, number_start)
        if qualifier is None:
            qualifier = stated_qualifier
        elif stated_qualifier != Qualifier.EXACT:
            qualifier = stated_qualifier
        taken.append((number_start, number_end))
        found.append(
            NumberPhrase(
                value=value,
                qualifier=qualifier,
                start=start,
                end=number_end,
                number_start=number_start,
                number_end=number_end,
                text=text[start:number_end],
                in_words=in_words,
            )
        )

    for match in _APPROXIMATIVE_RE.finditer(text):
        add(APPROXIMATIVES[match["word"].casefold()], match.start(), match.end(), True, Qualifier.APPROX)

    for match in DIGITS_RE.finditer(text):
        value, decimal = _digits_value(match, language)
        end = match.end()
        scale = _SCALE_RE.match(text, end)
        if scale:
            factor = SCALES[scale["scale"].casefold()]
            if decimal:
                value = round(float(f"{value}.{match['frac']}") * factor)
            else:
                value = value * factor + (int(scale["rest"]) if scale["rest"] and factor == 1000 else 0)
            end = scale.end() if (scale["rest"] is None or factor == 1000) else scale.end("scale")
        elif decimal:
            continue  # "1.6" alone is not a count of people or cases
        if text[end : end + 1] == "-" and text[end + 1 : end + 2].isalpha():
            continue  # "34-year old", "15-hour days", "five-day": a compound adjective, not a count
        plus = match["plus"] is not None and not scale
        add(value, match.start(), end, qualifier=Qualifier.AT_LEAST if plus else None)

    words = list(_WORD_RE.finditer(text))
    index = 0
    while index < len(words):
        # The longest run of words (with joiners) that text2num reads as one number.
        best = None
        if word_value(words[index].group(), language) is not None:
            last = index
            probe = index
            while probe + 1 < len(words):
                gap = text[words[probe].end() : words[probe + 1].start()]
                if gap not in (" ", "-"):
                    break
                nxt = words[probe + 1].group()
                if nxt.casefold() in _JOINERS and probe + 2 < len(words):
                    probe += 1
                    continue
                if word_value(nxt, language) is None and nxt.casefold() not in SCALES:
                    break
                probe += 1
                last = probe
            for end_index in range(last, index - 1, -1):
                phrase = text[words[index].start() : words[end_index].end()]
                value = word_value(phrase, language)
                if value is not None:
                    best = (value, end_index)
                    break
        if best is None:
            index += 1
            continue
        value, end_index = best
        start, end = words[index].start(), words[end_index].end()
        if text[end : end + 1] == "-" and text[end + 1 : end + 2].isalpha():
            index = end_index + 1
            continue
        dozen = _DOZEN_RE.match(text, end + 1) if text[end : end + 1] == " " else None
        if dozen:
            value, end = value * 12, dozen.end()
        add(value, start, end, in_words=True)
        index = end_index + 1

    found.sort(key=lambda phrase: phrase.number_start)
    return found
