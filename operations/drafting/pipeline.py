"""The drafting pipeline: segment -> find numbers -> qualifier -> metric -> country -> operation -> choose figures.

Each step is a function of the previous steps' output; the rules live in their own modules (numbers.py,
metrics.py, participants.py, names.py, dates.py). `draft_text()` runs them all and returns a Draft: the operations
the text reports, each with its period, countries and figures, every figure with its number phrase and quote."""

import re

from ..figures import Qualifier
from .choosing import RESTATEMENT_TOLERANCE, Candidate, choose, clause, sum_parts
from .dates import find_period
from .metrics import PERSON, VICTIM, read_metric
from .names import find_names
from .numbers import find_numbers
from .participants import place_mentions
from .places import find_mentions
from .proposals import CountryProposal, Draft, FigureProposal, OperationProposal
from .text import segment

# Sentences that describe the operation itself, where its period is looked for (not a photo caption's event).
_OPERATION_WORDS = re.compile(
    r"\b(?:operation|operación|opération|operação|action days?|jornadas de acción|journées d'action|took place"
    r"|carried out|conducted|tuvo lugar|se llevó a cabo|realizada|s'est déroulée|menée|began|crackdown|took part"
    r"|action week|week of action|joint action|semaine d'action|semana de acción|participaron|ont participé)\b",
    re.I,
)
_COUNTRIES_WORD = re.compile(r"countries|pa[ií]ses|pays|nations|naciones|territori(?:es|os)|États|Estados", re.I)
# A sentence about an earlier, unnamed edition ("Last year's operation rescued 1,000 victims"): its figures are not
# this operation's. A named earlier edition is its own operation (names.py), so only unnamed ones are skipped.
_EARLIER = re.compile(
    r"\b(?:last year|previous (?:year|edition|operation)|earlier (?:edition|operation)|a year earlier|in the past"
    r"|l['’]an(?:née)? (?:dernier|dernière|passé|passée)|l['’]édition précédente|une première opération"
    r"|el año pasado|la edición anterior|la operación anterior|el año anterior)\b",
    re.I,
)
_OPENER = re.compile(r"(?:In|En|Au|Aux|À|Dans)\s+(?:the\s+|la\s+|le\s+|el\s+|les\s+|l['’])?$")
# Right before a number: it counts part of a total just given ("dont 46 mineurs", "including 153 children").
_SUBCOUNT = re.compile(
    r"(?:dont|including|includes|included|incluidos|incluidas|incluyendo|including some|among them|of whom|of which"
    r"|parmi lesquels|parmi lesquelles|parmi eux|entre ellos|entre ellas|de los cuales|de las cuales)\s*$",
    re.I,
)


def _sentence_of(sentences, offset):
    for sentence in sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None


def _operation_keys(sentences, names):
    """Per sentence, the operation it talks about: the name it prints, else the text's first-named operation."""
    main = names[0].key if names else None
    per_sentence = {}
    for name in names:
        sentence = _sentence_of(sentences, name.start)
        if sentence is not None:
            per_sentence.setdefault(id(sentence), name.key)
    return main, per_sentence


def draft_text(text: str, language: str = "en", extra_country_names: dict | None = None) -> Draft:
    """Read a text and propose its operations, periods, countries and figures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    draft = Draft(text=text, language=language)
    sentences = segment(text)
    numbers = find_numbers(text, language)
    names = find_names(text)
    main, named_in = _operation_keys(sentences, names)
    display_names = {}
    for name in names:
        display_names.setdefault(name.key, name.name)
    placed = place_mentions(sentences, find_mentions(text, extra_country_names), text, language)

    def operation_of(sentence):
        return named_in.get(id(sentence), main)

    # Figures: a metric for every number the rules read, with its sentence's country when one owns it.
    candidates = []
    with_figures = set()  # ids of sentences that state a figure
    for sentence in sentences:
        if id(sentence) not in named_in and _EARLIER.search(sentence.text):
            continue
        inside = [n for n in numbers if sentence.start <= n.number_start < sentence.end]
        number_words = [sentence.word_at(n.number_start) for n in inside]
        for position, number in enumerate(inside):
            reading = read_metric(sentence, number, number_words, text)
            if reading is None:
                continue
            subcount = bool(_SUBCOUNT.search(text[max(sentence.start, number.start - 30) : number.start]))
            quote, quote_start, quote_end = clause(sentence, number.start, number.end)
            figure = FigureProposal(
                metric=str(reading.metric),
                value=number.value,
                qualifier=str(number.qualifier),
                country=_figure_country(placed, sentence, number, sentences, inside, text, with_figures),
                stated_as=number.text,
                quote=quote,
                start=number.start,
                end=number.end,
                quote_start=quote_start,
                quote_end=quote_end,
            )
            if subcount and figure.country is None:
                continue  # a sub-count of a total: only a country's own count after "including" is a figure
            with_figures.add(id(sentence))
            candidates.append(Candidate(figure, operation_of(sentence), sentence, position))
    candidates = sum_parts(candidates, numbers, text)

    # Operations: the ones with figures, in the order the text names them.
    operations = {}
    for candidate in candidates:
        key = candidate.operation_key
        if key not in operations:
            operations[key] = OperationProposal(name=display_names.get(key))
    for item in placed:
        if item.participant and not item.excluded:
            operation = operations.get(operation_of(item.sentence)) or operations.get(main)
            if operation is None and len(operations) == 1:
                operation = next(iter(operations.values()))
            if operation is None:
                continue
            role = "command_centre" if item.command_centre else "participant"
            existing = next((c for c in operation.countries if c.iso2 == item.mention.iso2), None)
            if existing is None:
                operation.countries.append(
                    CountryProposal(item.mention.iso2, role, item.mention.text, item.mention.start, item.mention.end)
                )
            elif role == "command_centre":
                existing.role = role
    # A country's count that reaches the operation's total is the total ("La police du Niger a secouru 232 victimes"
    # in a one-country operation; "The Zimbabwe Republic Police ... more than 1 000 suspects arrested worldwide").
    for candidate in candidates:
        operation = operations.get(candidate.operation_key)
        figure = candidate.figure
        if operation is None or figure.country is None:
            continue
        totals = [
            c.figure.value
            for c in candidates
            if c.operation_key == candidate.operation_key
            and c.figure.metric == figure.metric
            and c.figure.country is None
        ]
        if (totals and figure.value >= (1 - RESTATEMENT_TOLERANCE) * max(totals)) or (
            not totals and operation.countries_named == [figure.country]
        ):
            figure.country = None
    for candidate in choose(candidates):
        operations[candidate.operation_key].figures.append(candidate.figure)
    for operation in operations.values():
        operation.figures.sort(key=lambda figure: figure.start)

    _periods(sentences, operations, operation_of, main)
    _countries_reported(sentences, numbers, operations, operation_of, main, text)
    draft.operations = [operations[key] for key in sorted(operations, key=lambda k: _first_figure(operations[k]))]
    return draft


def _first_figure(operation):
    return min((figure.start for figure in operation.figures), default=0)


def _figure_country(placed, sentence, number, sentences, inside, text, with_figures):
    """The country that owns a figure: the nearest mention of its sentence that may own one, else the country a
    paragraph's previous sentence opened with ("In Brazil, police ... One victim was located")."""
    # A country after the number owns it only within its clause ("31 individuals were arrested in Colombia"), not
    # across a comma ("rescatar a más de 3.000 posibles víctimas en el mundo, desde granjas en Argentina").
    owners = [
        item
        for item in placed
        if item.sentence is sentence
        and item.figure_country
        and (item.mention.end <= number.start or not re.search(r"[,;:()]", text[number.end : item.mention.start]))
    ]
    if owners:
        others = [n for n in inside if n.number_start != number.number_start]

        def distance(item):
            low, high = sorted((item.mention.start, number.number_start))
            between = any(low < n.number_start < high for n in others)  # another count is closer to it
            return (between, high - low)

        return min(owners, key=distance).mention.iso2
    if any(item.sentence is sentence and not item.excluded for item in placed):
        return None
    # Only after a scene-setting sentence that opens "In X," and states no figure itself; after "In Mexico, police
    # rescued 240 victims." the next sentence is back to the operation as a whole.
    index = sentences.index(sentence)
    if index and sentences[index - 1].paragraph == sentence.paragraph:
        previous = sentences[index - 1]
        if id(previous) in with_figures:
            return None
        openers = [
            item
            for item in placed
            if item.sentence is previous
            and item.figure_country
            and _OPENER.match(text[previous.start : item.mention.start])
            and text[item.mention.end : item.mention.end + 1] == ","
        ]
        if openers:
            return openers[0].mention.iso2
    return None


def _periods(sentences, operations, operation_of, main):
    for sentence in sentences:
        if not _OPERATION_WORDS.search(sentence.text):
            continue
        period = find_period(sentence.text, sentence.start)
        if period is None:
            continue
        operation = operations.get(operation_of(sentence)) or operations.get(main)
        if operation is None and len(operations) == 1:
            operation = next(iter(operations.values()))
        if operation is not None and operation.start_date is None:
            operation.start_date, operation.end_date, operation.period_phrase = period.start, period.end, period.phrase


def _countries_reported(sentences, numbers, operations, operation_of, main, text):
    """ "44 countries", "116 países y territorios", "dans 44 pays": the stated number of participating countries."""
    counts = {}
    for number in numbers:
        after = text[number.number_end : number.number_end + 40]
        if not re.match(rf"\s+(?:[^\W\d_]+[\s-]+){{0,2}}?(?:{_COUNTRIES_WORD.pattern})\b", after, re.I):
            continue
        sentence = _sentence_of(sentences, number.number_start)
        if sentence is None:
            continue
        before = [w for _, end, w in sentence.words if end <= number.start][-5:]
        if any(w.startswith(("origin", "national", "nacional", "procedente", "provenant")) for w in before[-3:]):
            continue  # "originarios de 74 países", "nationalities from 61 countries"
        if (
            before
            and before[-1] in ("from", "desde", "de", "of")
            and any(VICTIM.fullmatch(w) or PERSON.fullmatch(w) or w.startswith("migrant") for w in before[-5:-1])
        ):
            continue  # "migrants from 69 different countries", "Victims were reported from 64 countries"
        key = operation_of(sentence)
        if key not in operations:
            key = main if main in operations else (next(iter(operations)) if len(operations) == 1 else None)
        if key is None and None not in operations:
            continue
        counts.setdefault(key, []).append(number)
    for key, found in counts.items():
        exact = [n for n in found if n.qualifier == Qualifier.EXACT] or found
        values = [n.value for n in exact]
        operations[key].countries_reported = max(values, key=lambda v: (values.count(v), -values.index(v)))
