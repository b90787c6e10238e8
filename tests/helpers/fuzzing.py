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


# --- Crafted admin addresses (issue 16: each answered 500 before) ---------------------------------------------------

BAD_YEARS = ["9999", "10000", "0", "-1", "99999999999999999999"]
BAD_IDS = ["abc", "1.5", "-1", "99999999999999999999999", "1\x00", " "]
BAD_TO_FIELDS = ["", " ", "+"]


def admin_list_parameters(model_admin) -> list[str]:
    """The query parameters a model admin's list filters and search read, derived from its declaration."""
    names = ["q", "o"]
    for item in model_admin.list_filter:
        field = item if isinstance(item, str) else item[0] if isinstance(item, tuple) else None
        if field is None:
            names.append(getattr(item, "parameter_name", "x"))
            continue
        names += [field, f"{field}__exact", f"{field}__id__exact", f"{field}__isnull"]
    return names


def crafted_admin_urls(site, object_id) -> list[str]:
    """Every crafted address of the issue for every model admin of `site`: date-hierarchy years past 9998, history
    and object ids that are no id, empty or '+' `_to_field`, NUL in each list filter, the search and the
    autocomplete of each autocomplete field. Each must answer 400 or 404."""
    from urllib.parse import quote

    from django.urls import reverse

    urls = []
    for model, model_admin in site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        if model_admin.date_hierarchy:
            year = f"{model_admin.date_hierarchy}__year"
            urls += [f"{changelist}?{year}={value}" for value in BAD_YEARS]
            urls.append(f"{changelist}?{year}=9999&{model_admin.date_hierarchy}__month=12")
        urls += [f"{changelist}?{name}=%00" for name in admin_list_parameters(model_admin)]
        change = reverse(f"{info}_change", args=[object_id])
        for to_field in BAD_TO_FIELDS:
            urls += [f"{path}?_to_field={quote(to_field)}" for path in (changelist, reverse(f"{info}_add"), change)]
        urls += [reverse(f"{info}_history", args=["ID"]).replace("ID", quote(bad)) for bad in BAD_IDS]
        if hasattr(model_admin, "history_form_view"):
            history = reverse(f"{info}_history", args=[object_id])
            urls += [f"{history}{quote(bad)}/" for bad in BAD_IDS]
        for field in model_admin.autocomplete_fields:
            for term in ("%00", "a%00b"):
                urls.append(
                    f"{reverse('admin:autocomplete')}?term={term}&app_label={model._meta.app_label}"
                    f"&model_name={model._meta.model_name}&field_name={field}"
                )
    return urls
