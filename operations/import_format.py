"""The columns of the two import files (operations.csv, country_results.csv), in file order.

Apart from importing.py so that code without Django settings (benchmarks/generate.py, which writes synthetic files
in this format) reads the same list: it needs nothing but the metrics."""

from .figures import Metric

METRIC_COLUMNS = [metric.value for metric in Metric]
OPERATIONS, COUNTRY_RESULTS = "operations", "country_results"
COLUMNS = {
    OPERATIONS: [
        "name",
        "coordinator",
        "region",
        "start_date",
        "end_date",
        "countries_count",
        *METRIC_COLUMNS,
        "exploitation_types",
        "summary",
        "source_url",
        "source_title",
        "source_published",
    ],
    COUNTRY_RESULTS: ["operation", "country", "role", *METRIC_COLUMNS, "source_url"],
}
