"""Which metric a number counts, from the noun it quantifies and the verb that acts on it (en/es/fr).

A number is a figure only when the annotation guide's words are there: victims need a verb such as rescued or
identified, people or suspects take the metric of the verb acting on them (arrested -> arrests, rescued -> victims;
suspects "identified" are not arrests), investigations and arrests are nouns that count themselves. Everything
else (officers, checks, flights, countries, years, accounts...) is not a metric and is never proposed.

To add a word: put it in the right pattern below and add an example sentence to tests/test_drafting_rules.py."""

import re
from dataclasses import dataclass

from ..figures import Metric

# Nouns, matched on the case- and accent-folded word (places.fold).
VICTIM = re.compile(r"victim\w*|victima\w*|victime\w*")
MIGRANT = re.compile(r"(?:im|in)?migrant\w*|(?:in)?migrantes")
ARREST_NOUN = re.compile(
    r"arrests|arrest|arrestations?|arrestos?|detenciones|detencion|detenidos?|detenidas?|interpellations?"
    r"|capturas?|apprehensions?|aprehensiones"
)
INVESTIGATION = re.compile(r"investigations?|investigaciones|investigacion|pesquisas?|enquetes?|inquiries|probes")
PERSON = re.compile(
    r"people|persons?|individuals?|women|men|children|child|girls?|boys?|minors?|adults?|teenagers?|teens|juveniles?"
    r"|nationals?|workers?|citizens|personas?|mujeres|hombres|ninos|ninas|menores|adultos|individuos|jovenes"
    r"|ciudadanos|personnes?|femmes|hommes|enfants|mineur\w*|adultes|individus|filles|garcons|jeunes"
    r"|ressortissant\w*|mendigos|mendiants|beggars"
)
SUSPECT = re.compile(
    r"suspects?|traffickers?|smugglers?|offenders?|perpetrators?|criminals?|sospechosos?|traficantes|tratantes"
    r"|trafiquants?|passeurs?|delincuentes|coyotes"
)

# Verbs and their nouns ("rescued", "the rescue of", "rescatar", "secourues", "l'arrestation de").
RESCUE = re.compile(
    r"rescu\w*|freed|freeing|saved|saving|safeguard\w*|located|locating|assisted|liberat\w*|rescat\w*|liberad\w*"
    r"|liberar\w*|liberaron|libero|salvad\w*|salvar\w*|socorr\w*|secour\w*|sauve\w*|sauvetage|delivr\w*|libere\w*"
    r"|emancipat\w*|removed|recover\w*|recuperad\w*"
)
IDENTIFY = re.compile(
    r"identif\w*|detect\w*|detec\w*|intercept\w*|found|discovered|descubiert\w*|encontrad\w*|decouvert\w*|reperes?"
)
ARREST_VERB = re.compile(
    r"arrest\w*|detain\w*|detuv\w*|deten\w*|captur\w*|apprehend\w*|aprehend\w*|aprehen\w*|interpel\w*|arret\w*"
    r"|apprehension\w*|nabbed|held|custody"
)

# Words that end the look for a number's noun: prepositions, and the usual non-metric nouns.
_NOUN_STOP = re.compile(
    r"of|de|del|des|du|d|from|for|por|par|pour|in|en|on|at|to|a|au|aux|with|con|avec|among|entre|between|which"
    r"|whom|que|qui|dont|who|officers?|officials?|agents?|police|countries|pays|paises|checks|flights|vehicles"
    r"|documents|locations|days?|years?|hours?|weeks?|months?|ans|anos|dias|jours|semaines|meses|mois|notices"
)
# "the total arrests was 1 062", "Victims rescued: 823", table rows "Arrests | 1,062": what may stand between a
# label and its number.
_LABEL_LINK = re.compile(
    r"(?:[\s:|=\t–—-]|was|were|is|are|total(?:l?ed)?|reached|stood at|a total of|of|fue|fueron|est|sont|rescued"
    r"|identified|detected|opened|launched|initiated|rescatad[oa]s|identificad[oa]s|secouru(?:e?s)?|identifi[ée]e?s)*",
    re.IGNORECASE,
)


_SCALE_WORD = re.compile(
    r"(?:aine|dozen|docena|decena|veintena|treintena|centenar|millier|millar|mil|mille|millions?|millones|millón)$",
    re.I,
)
_COORDINATION = {"and", "y", "et", "while", "whereas", "mientras", "tandis", "alors"}


@dataclass(frozen=True)
class Reading:
    """What a number counts: the metric, and the noun phrase that says so (for the review page)."""

    metric: str
    noun_end: int  # character offset where the number's noun phrase ends


def _class_of(word):
    for name, pattern in (
        ("victim", VICTIM),
        ("migrant", MIGRANT),
        ("arrest", ARREST_NOUN),
        ("investigation", INVESTIGATION),
        ("person", PERSON),
        ("suspect", SUSPECT),
    ):
        if pattern.fullmatch(word):
            return name
    return None


def head_noun(sentence, first_word: int, text: str, after_scale_word: bool = False) -> tuple[str | None, int, int]:
    """The class of the noun a number quantifies ("1,426 potential victims" -> victim), its word index and end.

    Looks at up to four words after the number, through adjectives ("potential", "irregular", "human trafficking",
    "African and Haitian"), and stops at a preposition, a punctuation mark or a known non-metric noun."""
    found = (None, first_word, None)
    specific = None
    for index in range(first_word, min(first_word + 4, len(sentence.words))):
        start, end, word = sentence.words[index]
        if index > first_word:
            gap = text[sentence.words[index - 1][1] : start]
            if gap.strip(" -\u00a0") not in ("", "“", "”", '"', "’", "'"):
                break
        if found[0] is not None and index > found[1] + 1:
            break  # "57 suspects and the arrest of 21": the noun after a found noun is another phrase's
        kind = _class_of(word)
        if kind in ("victim", "migrant", "arrest", "investigation"):
            following = sentence.words[index + 1][2] if index + 1 < len(sentence.words) else ""
            if kind == "migrant" and SUSPECT.fullmatch(following):
                found = ("suspect", index + 1, sentence.words[index + 1][1])  # "83 migrant smugglers"
                break
            specific = (kind, index, end)
            break
        if kind is not None and found[0] is None:
            found = (kind, index, end)
            continue
        if index == first_word and word in ("de", "d", "of", "del") and after_scale_word:
            continue  # "une quarantaine d'enquêtes", "3 millions de", "a dozen of"
        if _NOUN_STOP.fullmatch(word) or word.isdigit():
            break
    return specific or found


def _verbs(sentence, pattern):
    return [index for index, (_, _, word) in enumerate(sentence.words) if pattern.fullmatch(word)]


def _reachable(verbs, position, last, number_words):
    """Verbs on either side of the number with no other number in between; nearest preceding first."""
    before = [v for v in verbs if v < position and not any(v < n < position for n in number_words)]
    after = [v for v in verbs if v > last and not any(last < n < v for n in number_words)]
    return (max(before) if before else None), (min(after) if after else None)


def read_metric(sentence, number, number_words: list[int], text: str) -> Reading | None:
    """The metric `number` (a NumberPhrase inside `sentence`) counts, or None when it is not one of the four.

    `number_words` holds the word index of every number in the sentence, so that a verb is only linked to the
    numbers it governs ("arrested nine individuals for trafficking eight children": the eight are not arrested)."""
    first = sentence.word_at(number.number_start)
    last = first
    while last + 1 < len(sentence.words) and sentence.words[last + 1][0] < number.number_end:
        last += 1
    scale_word = bool(_SCALE_WORD.search(number.text))
    kind, noun_index, noun_end = head_noun(sentence, last + 1, text, scale_word)
    if kind is None:
        return _read_label(sentence, first, text, number)
    if kind == "arrest":
        return Reading(Metric.ARRESTS, noun_end)
    if kind == "investigation":
        return Reading(Metric.INVESTIGATIONS_OPENED, noun_end)

    def near(pattern, through_numbers=False):
        return _reachable(_verbs(sentence, pattern), first, last, [] if through_numbers else number_words)

    if kind in ("victim", "migrant"):
        # A victim noun names its metric; any rescue or identification verb of the sentence confirms it ("más de
        # 1.374 víctimas, incluidos 153 menores, fueron identificadas").
        # Migrants "apprehended" or "detained" at a border are intercepted (the guide's migrants_identified).
        verbs = (RESCUE, IDENTIFY, ARREST_VERB) if kind == "migrant" else (RESCUE, IDENTIFY)
        if any(v is not None for pattern in verbs for v in near(pattern, through_numbers=True)):
            metric = Metric.VICTIMS_RESCUED if kind == "victim" else Metric.MIGRANTS_IDENTIFIED
            return Reading(metric, noun_end)
        return None
    # People and suspects take the metric of the nearest verb acting on them. A verb before the number does not reach
    # across "and" ("... have been rescued and 22 alleged traffickers have been arrested").
    candidates = []
    for name, pattern in (("rescue", RESCUE), ("identify", IDENTIFY), ("arrest", ARREST_VERB)):
        before, after = near(pattern)
        if before is not None and not any(w in _COORDINATION for _, _, w in sentence.words[before + 1 : first]):
            candidates.append((first - before, 0, name))
        if after is not None:
            candidates.append((after - last, 1, name))
    if not candidates:
        return None
    _, _, verb = min(candidates)
    if verb == "arrest":
        return Reading(Metric.ARRESTS, noun_end)
    if kind == "suspect":
        return None  # suspects identified or located are not arrests
    if verb == "rescue":
        return Reading(Metric.VICTIMS_RESCUED, noun_end)
    # People identified are victims only when the sentence says so ("identified 593 adults ... as potential victims").
    if any(VICTIM.fullmatch(word) for _, _, word in sentence.words[noun_index:]):
        return Reading(Metric.VICTIMS_RESCUED, noun_end)
    return None


def _read_label(sentence, first, text, number):
    """A number after its label: "the total arrests was 1 062", "Victims rescued: 823", "Arrests | 1,062"."""
    for index in range(first - 1, max(-1, first - 5), -1):
        _, end, word = sentence.words[index]
        metric = {
            "arrest": Metric.ARRESTS,
            "investigation": Metric.INVESTIGATIONS_OPENED,
            "victim": Metric.VICTIMS_RESCUED,
            "migrant": Metric.MIGRANTS_IDENTIFIED,
        }.get(_class_of(word))
        if metric and _LABEL_LINK.fullmatch(text[end : number.start]):
            return Reading(metric, number.number_end)
    return None
