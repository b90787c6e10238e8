"""Segmenting a text into paragraphs and sentences, and into words with their positions."""

import re
from dataclasses import dataclass, field

from .places import WORD_RE, fold

# A sentence ends at . ! ? (or …) followed by space and a capital, digit or opening quote; not after the usual
# abbreviations ("St. Lucia", "Dr. Stock", "U.S. authorities") or a single initial.
_END_RE = re.compile(r"(?<=[.!?…])[\"”»’)]*\s+(?=[\"“«¿¡(‘']?[A-ZÀ-Ý0-9])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:St|Dr|Mr|Mrs|Ms|Sr|Sra|No|Nos|Gen|Col|Lt|Mt|Ste|Mme|M|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|\b(?:[A-Z]\.)+[A-Z])\.[\"”»’)]*\s+$"
)


@dataclass
class Sentence:
    """One sentence: its text, where it starts in the whole text, its paragraph, and its words."""

    text: str
    start: int
    paragraph: int
    index_in_paragraph: int
    words: list = field(default_factory=list)  # (start, end, folded word), offsets in the whole text

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def word_at(self, offset: int) -> int:
        """Index of the first word starting at or after `offset` (len(words) when none)."""
        for index, (start, _, _) in enumerate(self.words):
            if start >= offset:
                return index
        return len(self.words)


def segment(text: str) -> list[Sentence]:
    """Paragraphs are lines (headlines, captions and bullets stand alone); sentences split inside them."""
    sentences = []
    paragraph = 0
    for line in re.finditer(r"[^\n]+", text):
        if not line.group().strip():
            continue
        pieces = []
        begin = 0
        body = line.group()
        for end in _END_RE.finditer(body):
            if _ABBREVIATIONS.search(body[: end.end()]):
                continue
            pieces.append((begin, end.start()))
            begin = end.end()
        pieces.append((begin, len(body)))
        index = 0
        for begin, end in pieces:
            chunk = body[begin:end]
            stripped = chunk.strip()
            if not stripped:
                continue
            offset = line.start() + begin + (len(chunk) - len(chunk.lstrip()))
            sentence = Sentence(stripped, offset, paragraph, index)
            sentence.words = [
                (offset + match.start(), offset + match.end(), fold(match.group()))
                for match in WORD_RE.finditer(stripped)
            ]
            sentences.append(sentence)
            index += 1
        paragraph += 1
    return sentences
