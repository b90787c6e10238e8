"""Choosing among a text's readings of one count: restatements grouped, the most precise wording of the largest kept,
counts given in parts summed, and the clause each figure is quoted from."""

import re
from dataclasses import dataclass

from ..figures import Qualifier
from .metrics import PERSON, head_noun
from .proposals import FigureProposal

# Two readings of one count are restatements ("more than 2,500" and "2,517"; "nearly 200" and "193") when they
# differ by at most this share of the larger one. Smaller counts further away are sub-counts ("153 children" of
# 1,374 victims; "Some 100 additional arrests" of 300) and are not proposed.
RESTATEMENT_TOLERANCE = 0.10
_QUALIFIER_RANK = {Qualifier.EXACT: 0, Qualifier.AT_LEAST: 1, Qualifier.MORE_THAN: 2, Qualifier.APPROX: 3}


@dataclass
class Candidate:
    figure: FigureProposal
    operation_key: str | None
    sentence: object
    number_index: int


def clause(sentence, start, end):
    """The quote for a figure: its sentence, cut at ';' or a long dash around it when the sentence is long."""
    text = sentence.text
    local_start, local_end = start - sentence.start, end - sentence.start
    semicolon, dash = text.rfind(";", 0, local_start), text.rfind(" – ", 0, local_start)
    left = max(semicolon + 1 if semicolon != -1 else 0, dash + 3 if dash != -1 else 0)
    right_candidates = [i for i in (text.find(";", local_end), text.find(" – ", local_end)) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    quote = text[left:right].strip()
    offset = sentence.start + left + (len(text[left:right]) - len(text[left:right].lstrip()))
    return quote, offset, offset + len(quote)


def choose(candidates):
    """Per operation, metric and country: group restatements, keep the most precise wording of the largest count."""
    slots = {}
    for candidate in candidates:
        figure = candidate.figure
        slots.setdefault((candidate.operation_key, figure.metric, figure.country), []).append(candidate)
    chosen = []
    for group in slots.values():
        clusters = []
        for candidate in sorted(group, key=lambda c: -c.figure.value):
            for cluster in clusters:
                top = cluster[0].figure.value
                if top - candidate.figure.value <= RESTATEMENT_TOLERANCE * top:
                    cluster.append(candidate)
                    break
            else:
                clusters.append([candidate])
        best = clusters[0]

        def precision(candidate):
            value = candidate.figure.value
            zeros = len(str(value)) - len(str(value).rstrip("0"))
            # Between equal wordings, a sentence of the body quotes better than a headline (no final stop).
            headline = not candidate.sentence.text.rstrip().endswith((".", "!", "?", "”", '"', "»", ")"))
            return (_QUALIFIER_RANK[candidate.figure.qualifier], zeros, headline, candidate.figure.start)

        chosen.append(min(best, key=precision))
    return chosen


def sum_parts(candidates, numbers, text):
    """ "593 adults and 57 minors ... as potential victims": a count given only in parts is their sum."""
    merged = []
    skip = set()
    for index, candidate in enumerate(candidates):
        if index in skip:
            continue
        figure = candidate.figure
        sentence = candidate.sentence
        following = [n for n in numbers if n.number_start > figure.end and n.number_start < sentence.end]
        if following:
            part = following[0]
            noun_class, _, noun_end = head_noun(sentence, sentence.word_at(part.number_end), text)
            gap = text[figure.end : part.start]
            if (
                noun_class in ("person", "victim")
                and re.fullmatch(r"\s+(?:[^\W\d_]+\s+){0,3}(?:and|y|et)\s+", gap)
                and not any(c.figure.start == part.start for c in candidates)
                and part.qualifier == Qualifier.EXACT
                and PERSON.fullmatch(text[figure.end : part.start].split()[0].casefold().strip(",")) is not None
            ):
                figure.sum_of = [figure.value, part.value]
                figure.value += part.value
                figure.end = noun_end or part.end
                figure.stated_as = text[figure.start : figure.end]
        merged.append(candidate)
    return merged
