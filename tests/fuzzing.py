"""Shared hypothesis settings for the fuzz tests.

`make test` (and CI) runs the default profile: derandomized, so a run is reproducible and a red CI can be replayed
locally. HYPOTHESIS_PROFILE=deep runs ten times as many examples with fresh randomness: that is the exploratory run.
"""

import os

from hypothesis import HealthCheck, settings

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
DEPTH = 10 if DEEP else 1

settings.register_profile("default", derandomize=True)
settings.register_profile("deep", max_examples=1000, derandomize=False)
settings.load_profile("deep" if DEEP else "default")

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)


def examples(count):
    """`count` examples at the default depth, ten times as many in the deep profile."""
    return count * DEPTH
