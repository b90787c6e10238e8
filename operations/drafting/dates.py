"""The operation's period as the text states it: "12 to 17 June", "April 3-9", "del 21 al 25 de marzo de 2022",
"entre le 1er et le 6 juin". The year only when the text gives it; otherwise the date is "--MM-DD"."""

import re
from dataclasses import dataclass

MONTHS = {
    **dict.fromkeys(["january", "jan", "enero", "janvier"], 1),
    **dict.fromkeys(["february", "feb", "febrero", "fevrier", "février"], 2),
    **dict.fromkeys(["march", "mar", "marzo", "mars"], 3),
    **dict.fromkeys(["april", "apr", "abril", "avril"], 4),
    **dict.fromkeys(["may", "mayo", "mai"], 5),
    **dict.fromkeys(["june", "jun", "junio", "juin"], 6),
    **dict.fromkeys(["july", "jul", "julio", "juillet"], 7),
    **dict.fromkeys(["august", "aug", "agosto", "aout", "août"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septiembre", "setiembre", "septembre"], 9),
    **dict.fromkeys(["october", "oct", "octubre", "octobre"], 10),
    **dict.fromkeys(["november", "nov", "noviembre", "novembre"], 11),
    **dict.fromkeys(["december", "dec", "diciembre", "decembre", "décembre"], 12),
}
_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_D = r"\d{1,2}(?:st|nd|rd|th|er|º)?"
_Y = r"(?:19|20)\d{2}"
_CONNECT = r"(?:-|–|—|to|and|until|till|through|al|a|y|hasta|et|au|à|and\s+ended\s+on|y\s+el|et\s+le)"
DAY_FIRST = re.compile(
    rf"(?<![\d/])(?P<d1>{_D})(?:\s+(?:de\s+)?(?P<m1>{_M})\.?)?(?:\s+(?:de\s+)?(?P<y1>{_Y}))?\s*{_CONNECT}\s*"
    rf"(?:el\s+|le\s+)?(?P<d2>{_D})\s+(?:de\s+)?(?P<m2>{_M})\b\.?(?:,?\s+(?:de\s+)?(?P<y2>{_Y}))?",
    re.I,
)
MONTH_FIRST = re.compile(
    rf"\b(?P<m1>{_M})\.?\s+(?P<d1>{_D})(?:,?\s+(?P<y1>{_Y}))?\s*{_CONNECT}\s*(?:on\s+)?(?:(?P<m2>{_M})\.?\s+)?"
    rf"(?P<d2>{_D})\b(?:,?\s+(?P<y2>{_Y}))?",
    re.I,
)
SINGLE = re.compile(
    rf"(?<![\d/])(?P<d1>{_D})\s+(?:de\s+)?(?P<m1>{_M})\b\.?(?:,?\s+(?:de\s+)?(?P<y1>{_Y}))?"
    rf"|\b(?P<m2>{_M})\.?\s+(?P<d2>{_D})\b(?:,?\s+(?P<y2>{_Y}))?",
    re.I,
)


@dataclass(frozen=True)
class Period:
    start: str
    end: str
    phrase: str
    offset: int


def _iso(year, month, day):
    return f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _day(text):
    return int(re.match(r"\d+", text).group())


def find_period(sentence_text: str, offset: int = 0) -> Period | None:
    """The first date range (or single date) in a sentence, at the precision it states."""
    for pattern in (DAY_FIRST, MONTH_FIRST):
        for match in pattern.finditer(sentence_text):
            month2 = MONTHS.get((match["m2"] or match["m1"] or "").casefold())
            month1 = MONTHS.get((match["m1"] or "").casefold()) or month2
            if not month1 or not month2:
                continue
            day1, day2 = _day(match["d1"]), _day(match["d2"])
            if not (1 <= day1 <= 31 and 1 <= day2 <= 31) or (month1 == month2 and day2 < day1):
                continue
            year2 = int(match["y2"]) if match["y2"] else None
            year1 = int(match["y1"]) if match["y1"] else year2
            if year1 and month1 > month2 and year1 == year2:
                year1 -= 1  # "28 December to 3 January 2024"
            return Period(
                _iso(year1, month1, day1), _iso(year2 or year1, month2, day2), match.group(), offset + match.start()
            )
    for match in SINGLE.finditer(sentence_text):
        month = MONTHS.get((match["m1"] or match["m2"]).casefold())
        day = _day(match["d1"] or match["d2"])
        year = match["y1"] or match["y2"]
        if month and 1 <= day <= 31:
            date = _iso(int(year) if year else None, month, day)
            return Period(date, date, match.group(), offset + match.start())
    return None
