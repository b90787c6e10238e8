"""Which countries took part, which hosted a command centre, and which country a figure belongs to.

A country mention counts as a participant in the annotation guide's cases: its authorities acted ("Sudanese police",
"la police du Niger", "autoridades panameñas"), something happened there ("In El Salvador, ...", "au Tchad, au Mali
et au Niger"), it hosted a coordination unit, it led or joined the operation, or it is in a list of three or more
countries. Countries of origin or destination ("victims from Romania", "sent to Myanmar", "originaires du Bénin"),
nationalities ("five Chinese nationals"), a headquarters ("Lyon-based", "con sede en La Haya"), funders and
datelines ("LYON, France –") are not."""

import re
from dataclasses import dataclass

from .metrics import MIGRANT, PERSON, SUSPECT, VICTIM
from .places import Kind, Mention

# Words before a mention that make it the place where the operation acted.
_LOCATION = {"in", "en", "au", "aux", "dans", "within", "across", "throughout", "inside", "between", "entre"}
_ARTICLES = {"the", "el", "la", "le", "les", "l", "los", "las"}
# Authorities: "Sudanese police", "police in Nicaragua", "la police du Niger", "forces de l'ordre autrichiennes".
_AUTHORITIES = re.compile(
    r"police|policia|policias|polices|authorities|autoridades|autorites|enforcement|gendarmerie|gendarmes|guardia"
    r"|carabineros|customs|aduanas|douanes|investigators|prosecutors|fiscalia|ministerio|forces|fuerzas|agencies"
    r"|agents|officers|guards|services|ordre|seguridad|federal|federale|nacional|nationale|republic"
)
# Near a mention: where people come from ("originaires de", "nationals"), headquarters, funders.
_ORIGIN = re.compile(
    r"originating|originally|originarios?|originarias?|originaires?|procedentes?|provenant|provenance|origin|origen"
    r"|origine|nationalit\w*|nacionalidad\w*|sede|siege|headquartered|headquarters|based|bureau|published|funded"
    r"|financed|financee|finance|native|natives|born"
)
# Directly before a mention: where people go ("sent to Myanmar", "vers la Birmanie", "via Colombia").
_DESTINATION = {"to", "towards", "into", "vers", "hacia", "via", "through"}
# "from", "de", "desde" mean origin after people ("victims from Romania", "mujeres de Togo", "women from Nigeria").
_FROM = {"from", "de", "du", "des", "d", "desde", "of"}
_WITH = {"with", "con", "avec"}
_PARTNERING = re.compile(
    r"coordination|coordinacion|cooperation|cooperacion|collaboration|colaboracion|together|along|partnership"
    r"|support|apoyo|soutien|concours|help|ayuda|aide|assistance|asistencia"
)
_CITY_BEFORE = re.compile(
    r"\b(?:in|en|à|au|at|near|cerca de|près de)\s+[A-ZÀ-Ý][\w’'-]+(?:\s+[A-ZÀ-Ý][\w’'-]+)?\s*[,(]\s*$"
)
_HEADQUARTERS = re.compile(r"sede|siege|headquartered|headquarters|based")
_PARTICIPATE = re.compile(
    r"took|participat\w*|joined|participaron|participo|participe\w*|hosted|acogio|accueilli|led|coordinated|lead"
)
# "with the participation of Brazil", "con la participación de Chile", "les pays participants : ...".
_PARTICIPATION = re.compile(r"participation|participacion|participants?|participantes|participating|participaron")
_LED_BY = re.compile(r"led|coordinated|dirigee?|menee?|liderad[oa]|dirigid[oa]|coordinad[oa]|coordonnee?|by|par|por")
_COMMAND = re.compile(
    r"coordination|coordinacion|command|commandement|mando|centres?|centers?|centros?|unit|units|unidad(?:es)?"
    r"|cellule|ocu|operational|operativa|operationnelle"
)


@dataclass
class Placed:
    """A country mention with what its context says."""

    mention: Mention
    sentence: object
    participant: bool = False
    figure_country: bool = False  # may own a figure of its sentence ("In El Salvador, 27 people were arrested")
    command_centre: bool = False
    excluded: bool = False
    list_size: int = 1


def _lists(mentions, text):
    """Group mentions joined by commas and "and/y/et/or" (with articles and "au", "en", "du" in between)."""
    groups = []
    for mention in mentions:
        if groups and (groups[-1][-1].kind == Kind.DEMONYM) == (mention.kind == Kind.DEMONYM):
            gap = text[groups[-1][-1].end : mention.start]
            words = re.findall(r"[^\W\d_]+", gap.casefold())
            joiners = {"and", "y", "et", "or", "o", "ou", "e", "as", "well", "also"}
            if len(gap) < 30 and all(w in joiners | _ARTICLES | _LOCATION | {"du", "de", "des", "d"} for w in words):
                if re.fullmatch(r"[\s,;()\w’'-]*", gap) and (words or "," in gap or "(" in gap or ")" in gap):
                    groups[-1].append(mention)
                    continue
        groups.append([mention])
    return groups


def _is_dateline(mention, sentence, text):
    """ "LYON, France –", "COTONOU,Bénin |", "Lyon, Francia.-", "Vienna (Austria), 28/11/2023.-", a place alone on a
    line ("Washington D.C."), or "Niger : 232 victimes..." as a title."""
    if sentence.index_in_paragraph != 0:
        return False
    before = text[sentence.start : mention.start]
    after = text[mention.end : mention.end + 4]
    if len(re.findall(r"[^\W\d_]+", before)) > 2:
        return False
    if not before.strip() and text[mention.end : sentence.end].strip() in ("", "."):
        return True  # a place alone on its line
    if not before.strip() and re.match(r"\s*[,(]\s*[A-ZÀ-Ý]", after + text[mention.end + 4 : mention.end + 8]):
        return True  # "COTONOU, Bénin |", "Vienna (Austria), 28/11/2023.-"
    return bool(re.match(r"\s*[)]?\s*(?:[–—|:]|-\s|\.-|,\s*\d)", after)) or bool(
        re.fullmatch(r"\s*[^\W\d_]+\s*[,(]\s*", before)
    )


def place_mentions(sentences, mentions, text, language="en") -> list[Placed]:
    """Judge every mention by its context."""
    by_sentence = {}
    for mention in mentions:
        for sentence in sentences:
            if sentence.start <= mention.start < sentence.end:
                by_sentence.setdefault(id(sentence), (sentence, []))[1].append(mention)
                break
    placed = []
    for sentence, found in by_sentence.values():
        word_index = {start: index for index, (start, _, _) in enumerate(sentence.words)}
        for group in _lists(found, text):
            head = group[0]
            first = word_index.get(head.start, 0)
            before = [w for _, _, w in sentence.words[max(0, first - 4) : first]]
            content_before = [w for w in before if w not in _ARTICLES]
            last_group = group[-1]
            last = word_index.get(last_group.start, first)
            while last + 1 < len(sentence.words) and sentence.words[last + 1][0] < last_group.end:
                last += 1
            after = [w for _, _, w in sentence.words[last + 1 : last + 5]]
            names = [m for m in group if m.kind != Kind.DEMONYM]
            # Origin: "victims from", "originaires du", "mujeres de Togo", "sent to", "based in", "sede en".
            wide = [w for _, _, w in sentence.words[max(0, first - 6) : first]]
            window = [w for _, _, w in sentence.words[max(0, first - 8) : first]]
            # "The coordination unit was based in Nairobi" is a command centre, not a headquarters.
            unit = sum(1 for w in window if _COMMAND.fullmatch(w)) >= 2
            origin = any(_ORIGIN.fullmatch(w) and not (unit and _HEADQUARTERS.fullmatch(w)) for w in wide) or any(
                w in _DESTINATION for w in before[-2:]
            )
            origin = origin or any(_ORIGIN.fullmatch(w) or w == "by" for w in after[:1])
            if before and before[-1] in _FROM or (len(before) > 1 and before[-2] in _FROM and before[-1] in _ARTICLES):
                people = [w for w in wide[:-1] if any(p.fullmatch(w) for p in (PERSON, VICTIM, MIGRANT, SUSPECT))]
                origin = origin or bool(people)
            # French "à Abidjan" (folded "a"); Spanish "a" is "to" and is not a location.
            locations = _LOCATION | {"a"} if language == "fr" else _LOCATION
            location = (bool(content_before) and content_before[-1] in locations) or bool(
                _CITY_BEFORE.search(text[max(sentence.start, head.start - 60) : head.start])
            )
            # "in coordination with Romania", "with the support of Spain", "con el apoyo de Colombia".
            partnering = (
                len(before) >= 2
                and before[-1] in _WITH | {"of", "de", "du", "del"}
                and bool(_PARTNERING.fullmatch(before[-2]))
            )
            authorities_after = any(_AUTHORITIES.fullmatch(w) for w in after[:3])
            # "police in Nicaragua", "la police du Niger", "Policía Federal Brasileña": only articles, prepositions
            # or other authority words between; "police rescued 266 Myanmar nationals" is not Myanmar's police.
            authorities_before = False
            for back in range(1, min(3, len(before)) + 1):
                if _AUTHORITIES.fullmatch(before[-back]):
                    between = before[len(before) - back + 1 :]
                    authorities_before = all(
                        w in _ARTICLES | _LOCATION | _FROM or _AUTHORITIES.fullmatch(w) for w in between
                    )
                    break
            subject = first == 0 and bool(after) and not sentence.text[len(head.text) :].lstrip().startswith((":", "–"))
            led_by = (
                len(before) >= 1 and _LED_BY.fullmatch(before[-1]) and any(_LED_BY.fullmatch(w) for w in before[-2:])
            )
            participates = any(_PARTICIPATE.fullmatch(w) for w in after[:3]) or any(
                _PARTICIPATION.fullmatch(w) for w in before[-3:]
            )
            command = (location or participates) and sum(1 for w in window + after if _COMMAND.fullmatch(w)) >= 2
            caption = bool(re.match(r"\s*(?:Operation|Operación|Opération)\b", sentence.text)) and bool(
                re.search(r"\s[-–]\s*$", text[sentence.start : head.start])
            )
            for mention in group:
                item = Placed(mention, sentence, list_size=len(names) or 1)
                # "266 Myanmar nationals", "Nigerian victims": a nationality, unless the people are placed there.
                nationality = bool(after) and any(p.fullmatch(after[0]) for p in (PERSON, VICTIM, MIGRANT, SUSPECT))
                if _is_dateline(mention, sentence, text) or origin or (nationality and not location):
                    item.excluded = True
                    placed.append(item)
                    continue
                if mention.kind == Kind.DEMONYM:
                    # A nationality describes people ("five Chinese nationals") unless it names authorities.
                    item.participant = authorities_after or authorities_before
                    item.figure_country = item.participant and len(group) == 1
                else:
                    strong = (
                        location
                        or authorities_after
                        or authorities_before
                        or subject
                        or led_by
                        or participates
                        or partnering
                    )
                    item.participant = strong or caption or len(names) >= 3 or mention.kind == Kind.CAPITAL or command
                    item.figure_country = (strong or mention.kind == Kind.CAPITAL) and len(names) == 1
                item.command_centre = item.participant and command
                placed.append(item)
    placed.sort(key=lambda item: item.mention.start)
    return placed
