"""Operation names as the text prints them: "Operation Weka II", "la operación “Liberterra II”", "l'opération
Flash-Weka", "dubbed Global Chain", "'Storm Makers II' es una operación", "the AKOMA Police Operation"."""

import re
import unicodedata
from dataclasses import dataclass

from .places import find_mentions

_KEYWORD = r"(?:Operation|Operación|Operacion|Opération|Operação|Operazione|Op\.)"
# One word of a name: capitalised, upper case, a Roman numeral or a year-like edition number.
_NAME_WORD = r"(?:[A-ZÀ-Ý][\w’']*(?:-[\w’']+)*|[IVX]+\b|\d{1,4}\b)"
# Words of one name are on one line: a headline's "...operation" is not named by the next line's "PARIS".
_NAME = rf"(?P<name>{_NAME_WORD}(?:(?:[ \t\u00a0]+|[ \t]*[–-][ \t]*){_NAME_WORD})*)"
_QUOTE = r"[“\"«'‘]?[ \t]*"
_NAMED = (
    r"named|dubbed|called|code-?named|codenamed|denominada|denominado|llamada|llamado|bautizada|bautizado"
    r"|nommée|baptisée|dénommée|appelée|baptisé|nommé|intitulée"
)
PATTERNS = [
    re.compile(rf"(?<![\w])(?i:{_KEYWORD})(?!s)[ \t]+{_QUOTE}{_NAME}"),
    re.compile(rf"\b(?:{_NAMED})[ \t]+{_QUOTE}(?:(?i:{_KEYWORD})[ \t]+)?{_NAME}"),
    re.compile(
        rf"[“\"«'‘]{_NAME}[”\"»'’]\s+(?:es|is|est|was|fue|était)\s+(?:una|an?|une|la|the|el)\s+(?:\w+\s+)?(?i:operación|operation|opération)"
    ),
    re.compile(r"\b(?P<name>[A-Z]{3,}(?:[- ][A-Z]{3,})*)\s+(?:Police\s+)?Operation\b"),
]
# Organisations and generic words that follow "Operation" but are not names.
_NOT_NAMES = {
    "interpol",
    "europol",
    "frontex",
    "afripol",
    "iom",
    "oim",
    "unodc",
    "ameripol",
    "aseanapol",
    "empact",
    "the",
    "la",
    "el",
    "le",
    "un",
    "une",
    "una",
    "an",
    "a",
    "this",
    "that",
    "in",
    "en",
    "de",
    "of",
    "du",
    "del",
    "police",
    "results",
    "resultados",
    "résultats",
    "coordination",
    "centre",
    "center",
}
_STOP_WORDS = {"In", "On", "The", "A", "An", "And", "En", "Le", "La", "El", "Et", "Y", "Of", "At", "By", "For"}


@dataclass(frozen=True)
class NameMention:
    name: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return normalize(self.name)


def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _clean(raw: str, text: str, start: int) -> str | None:
    words = re.split(r"(\s*[–-]\s+|\s+[–-]\s*|\s+)", raw)
    kept = []
    for index in range(0, len(words), 2):
        word = words[index]
        separator = words[index - 1] if index else ""
        if word in _STOP_WORDS and kept:
            break
        if kept and separator.strip() in ("-", "–") and find_mentions(word):
            break  # "Operation Turquesa V - Honduras": a photo caption's country, not part of the name
        kept.append((separator, word))
    name = "".join(separator + word for separator, word in kept).strip(" .,’'-–")
    if not name or name.casefold() in _NOT_NAMES or normalize(name) in _NOT_NAMES:
        return None
    return name


def find_names(text: str) -> list[NameMention]:
    """Every named operation mention, in text order (several per name when it recurs)."""
    found = {}
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            name = _clean(match["name"], text, match.start("name"))
            if name is None:
                continue
            start = match.start("name")
            if any(start < end and other < start + len(name) for other, end in found):
                continue
            found[(start, start + len(name))] = NameMention(name, start, start + len(name))
    return sorted(found.values(), key=lambda mention: mention.start)
