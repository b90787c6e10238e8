"""Keys of new sources (models.source_key): unique per publisher and date, made in linear time for a whole import."""

import datetime

from operations.models import source_key

UNDATED, DATED = ("Europol", None), ("Europol", datetime.date(2024, 5, 1))


def test_source_keys_resumed_per_base_are_the_keys_counted_from_two():
    already = {"europol", "europol-2", "europol-5", "interpol"}
    wanted = [UNDATED] * 5 + [("Interpol", None)] * 2 + [DATED] * 2 + [UNDATED] * 2
    taken_plain, taken_resumed, counters = set(already), set(already), {}
    counted = [source_key(publisher, published, taken_plain) for publisher, published in wanted]
    resumed = [source_key(publisher, published, taken_resumed, counters) for publisher, published in wanted]
    assert resumed == counted
    assert counted[:5] == ["europol-3", "europol-4", "europol-6", "europol-7", "europol-8"]
    assert counted[-2:] == ["europol-9", "europol-10"]


def test_many_sources_of_one_publisher_cost_a_probe_or_two_each():
    taken, counters, probes = set(), {}, []

    def is_taken(key):
        probes.append(key)
        return key in taken

    for _ in range(1_000):
        taken.add(source_key(*UNDATED, is_taken, counters))
    assert len(taken) == 1_000
    assert len(probes) <= 3 * 1_000  # counting from 2 each time: about 500,000
