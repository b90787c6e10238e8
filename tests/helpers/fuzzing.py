"""Shared hypothesis settings and helpers for the fuzz tests.

`make test` (and CI) runs the default profile: derandomized, so a run is reproducible and a red CI can be replayed
locally. HYPOTHESIS_PROFILE=deep runs ten times as many examples with fresh randomness: that is the exploratory run.

Every fuzz test tallies the inputs it generated (`tally`, `fuzz`); pytest's summary prints the total (conftest.py).
"""

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
DEPTH = 10 if DEEP else 1

settings.register_profile("default", derandomize=True)
settings.register_profile("deep", max_examples=1000, derandomize=False)
settings.load_profile("deep" if DEEP else "default")

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)

# Generated inputs per kind, over the whole pytest session (printed in pytest's terminal summary).
GENERATED = Counter()

# Hypothesis spends a few milliseconds of its own on every example, more than a cheap check costs; drawing a batch of
# inputs per example spreads that over the batch (measured: 4.3 ms per query string one per example, 1.3 ms twenty
# per example). Shrinking still works: a failing batch shrinks to the one input that fails.
BATCH = 20


def examples(count):
    """`count` examples at the default depth, ten times as many in the deep profile."""
    return count * DEPTH


def tally(kind, inputs=1):
    GENERATED[kind] += inputs


def fuzz(kind, strategy, check, count, batch=BATCH):
    """Call `check(value)` on `count` values drawn from `strategy` (ten times as many in the deep profile), `batch`
    values per hypothesis example, and fail if hypothesis generated fewer than nine in ten of them."""
    wanted = examples(count)
    done = []

    @settings(
        SETTINGS,
        max_examples=max(1, wanted // batch),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(values=st.lists(strategy, min_size=batch, max_size=batch))
    def run(values):
        for value in values:
            check(value)
        done.append(len(values))

    run()
    tally(kind, sum(done))
    assert sum(done) >= wanted * 0.9, f"{kind}: only {sum(done)} of {wanted} inputs were generated"


# Values a user might plausibly type into a list's filters and sorts, beside random text.
PLAUSIBLE = [
    "BR", "br", "ZZ", "Americas", "Africa", "Caribbean", "yes", "no", "libertad", "weka-ii", "participant",
    "command_centre", "forced-labour", "2021", "1899", "2101", "-1", "0", "25", "250", "500", "99999", "abc", "1e9",
    "9" * 30, "-victims_rescued", "arrests", "-nope", "name", "period", "-countries_named", "operations_count", "",
]  # fmt: skip
