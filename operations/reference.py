"""Loads the sourced reference data (../shared/reference/) into the database, idempotently."""

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from . import services
from .countries import CountryResolver
from .figures import Figure, Metric, Qualifier
from .importing.conventions import EXPLOITATION_KEYWORDS, PRIMARY_PUBLISHERS, publisher_from_url, split_title
from .models import (
    DatePrecision,
    ExploitationForm,
    Operation,
    Origin,
    Participation,
    ReportedFigure,
    Role,
    Source,
)

# Figure columns of operations.csv and the qualifier column beside each.
OPERATION_FIGURE_COLUMNS = {
    Metric.VICTIMS_RESCUED: "victims_qualifier",
    Metric.ARRESTS: "arrests_qualifier",
    Metric.INVESTIGATIONS_OPENED: "investigations_qualifier",
    Metric.MIGRANTS_IDENTIFIED: "migrants_qualifier",
}

# Where each operation was coordinated from, as SOURCES.md quotes it; these countries get the command-centre role.
COMMAND_CENTRES = {
    "Operation Nawa": ("Côte d'Ivoire", "INTERPOL Regional Bureau, Abidjan"),
    "Operation Intercops - Spartacus III": ("Argentina", "INTERPOL Regional Bureau for South America, Buenos Aires"),
    "Operation Libertad": ("Barbados", "CARICOM IMPACS JRCC, Barbados"),
    "Operation Andes": ("Argentina", "INTERPOL Regional Bureau, Buenos Aires"),
    "Operation Turquesa": ("El Salvador", "INTERPOL Regional Bureau, San Salvador"),
    "Operation Turquesa II": ("Brazil", "Brazilian Federal Police HQ, Brasília"),
    "Operation Weka": ("Morocco", "Operational coordination unit, Morocco"),
    "Operation Liberterra": ("United Arab Emirates", "Operations room, Abu Dhabi"),
    "Operation Turquesa III": ("Mexico", "OCU, Mexico City; support unit at CARICOM IMPACS JRCC, Barbados"),
    "Operation Storm Makers": ("Vietnam;United Arab Emirates", "OCUs in Hanoi and Abu Dhabi"),
    "Operation Turquesa V": ("Costa Rica", "OCU, Costa Rica"),
    "Operation Global Chain 2024": ("Poland", "Frontex HQ, Warsaw"),
    "Operation Global Chain 2025": ("Poland", "Frontex HQ, Warsaw"),
    "Operation Liberterra II": (
        "Argentina;Senegal;Philippines;North Macedonia",
        "OCUs in Argentina, Senegal, the Philippines and North Macedonia",
    ),
    "Operation Liberterra III": (
        "Algeria;El Salvador;Laos;United Kingdom",
        "OCUs in Algeria, El Salvador, Laos and the United Kingdom",
    ),
}

# Operations whose sources give only a month: the period the `notes` column states.
MONTH_PERIODS = {
    "Operation FLASH-WEKA": (datetime.date(2023, 5, 1), datetime.date(2023, 6, 30)),  # "between May and June"
    "Operation Epervier II": (datetime.date(2019, 4, 1), datetime.date(2019, 4, 30)),  # "first half of April"
}

ALTERNATIVES_FILE = Path(__file__).parent / "reference_data" / "alternative_figures.csv"


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    unknown_countries: list = field(default_factory=list)

    def count(self, kind, created):
        bucket = self.created if created else self.skipped
        bucket[kind] = bucket.get(kind, 0) + 1


class ReferenceDataError(ValueError):
    pass


def _read(path: Path):
    if not path.exists():
        raise ReferenceDataError(f"{path} not found: set REFERENCE_DIR to the folder holding operations.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text):
    return datetime.date.fromisoformat(text) if text else None


class ReferenceLoader:
    """Reads operations.csv, country_results.csv and our alternative_figures.csv and writes what is missing."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.report = LoadReport()
        self.countries = CountryResolver()
        self.sources = {}
        self.forms = {form.slug: form for form in ExploitationForm.objects.all()}

    @transaction.atomic
    def load(self) -> LoadReport:
        operations = _read(self.directory / "operations.csv")
        results = _read(self.directory / "country_results.csv")
        alternatives = _read(ALTERNATIVES_FILE)
        by_name = {}
        for row in operations:
            by_name[row["name"]] = self._operation(row)
        self._country_results(results, by_name)
        self._alternatives(alternatives, by_name)
        # Only after a write: refreshing also renews the data version (services.data_changed), which would throw away
        # every cached rendering on a second run that changed nothing.
        if self.report.created:
            for operation in by_name.values():
                services.refresh_preferred_figures(operation)
        if self.report.unknown_countries:
            raise ReferenceDataError(f"unknown countries: {', '.join(sorted(set(self.report.unknown_countries)))}")
        return self.report

    def _source(self, url, *, publisher="", title="", published=None):
        key = url or f"{publisher}|{title}"
        if key in self.sources:
            return self.sources[key]
        publisher = publisher or publisher_from_url(url)
        lookup = {"url": url} if url else {"url": "", "publisher": publisher, "title": title}
        source, created = Source.objects.get_or_create(
            **lookup,
            defaults={
                "publisher": publisher,
                "title": title,
                "published": published,
                "is_primary": any(name.lower() in publisher.lower() for name in PRIMARY_PUBLISHERS),
            },
        )
        self.report.count("sources", created)
        self.sources[key] = source
        return source

    def _country(self, name):
        country = self.countries.resolve(name)
        if country is None:
            self.report.unknown_countries.append(name)
        return country

    def _operation(self, row):
        name = row["name"]
        publisher, title = split_title(row["source_title"])
        source = self._source(
            row["source_url"], publisher=publisher, title=title, published=_date(row["source_published"])
        )
        start, end = _date(row["start_date"]), _date(row["end_date"])
        precision = DatePrecision.DAY if start else DatePrecision.YEAR if row["year"] else DatePrecision.UNKNOWN
        if name in MONTH_PERIODS:
            (start, end), precision = MONTH_PERIODS[name], DatePrecision.MONTH
        country_names = [part.strip() for part in row["countries"].split(";") if part.strip()]
        centre_names, centre_text = COMMAND_CENTRES.get(name, ("", ""))
        operation, created = Operation.objects.get_or_create(
            name=name,
            defaults={
                "slug": slugify(name.removeprefix("Operation "))[:200],
                "coordinator": row["coordinator"],
                "area": row["region"],
                "year": int(row["year"]) if row["year"] else None,
                "start_date": start,
                "end_date": end,
                "date_precision": precision,
                "countries_reported": int(row["countries_count"]) if row["countries_count"] else None,
                "command_centres": centre_text,
                "exploitation_text": row["exploitation_types"],
                "notes": row["notes"],
                "is_single_country": not row["countries_count"] and len(country_names) == 1,
                "is_verified": source.is_primary or "unverified" not in row["notes"].lower(),
            },
        )
        self.report.count("operations", created)
        if created:
            operation.sources.add(source)
            slugs = {
                slug for pattern, slug in EXPLOITATION_KEYWORDS if re.search(pattern, row["exploitation_types"], re.I)
            }
            operation.exploitation_forms.set([self.forms[slug] for slug in sorted(slugs) if slug in self.forms])
            # Compare resolved countries, not names: the list may say "UAE" where the centre says "United Arab
            # Emirates".
            centres = {self._country(name) for name in centre_names.split(";") if name} - {None}
            named = [self._country(name) for name in country_names]
            for country in dict.fromkeys([*named, *sorted(centres, key=lambda c: c.iso2)]):
                if country is None:
                    continue
                role = Role.COMMAND_CENTRE if country in centres else Role.PARTICIPANT
                _, made = Participation.objects.get_or_create(
                    operation=operation, country=country, defaults={"role": role}
                )
                self.report.count("participations", made)
        for metric, qualifier_column in OPERATION_FIGURE_COLUMNS.items():
            figure_text = row[metric.value]
            if not figure_text:
                continue  # unknown, not zero
            figure = Figure(int(figure_text), row[qualifier_column] or Qualifier.EXACT)
            self._figure(operation, None, metric, figure, source, key=f"operations.csv|{name}|{metric.value}")
        return operation

    def _figure(self, operation, participation, metric, figure, source, *, key, quote="", preferred=None):
        if ReportedFigure.objects.filter(reference_key=key).exists():
            self.report.count("figures", False)
            return
        services.record_figure(
            operation=operation,
            participation=participation,
            metric=metric,
            figure=figure,
            source=source,
            quote=quote,
            preferred=preferred,
            origin=Origin.REFERENCE,
            reference_key=key,
            refresh=False,
        )
        self.report.count("figures", True)

    def _participation(self, operation, country):
        participation, created = Participation.objects.get_or_create(operation=operation, country=country)
        self.report.count("participations", created)
        return participation

    def _country_results(self, rows, operations):
        # Several rows for one country and metric are separate reports (e.g. Turquesa III, El Salvador: 27 arrested
        # for child abuse and labour exploitation, 14 smugglers). They may overlap, so they are not added up: all
        # are kept and the largest is preferred.
        largest = {}
        for row in rows:
            for metric in (Metric.VICTIMS_RESCUED, Metric.ARRESTS):
                if row[metric.value]:
                    slot = (row["operation"], row["country"], metric)
                    largest[slot] = max(largest.get(slot, 0), int(row[metric.value]))
        for line, row in enumerate(rows, start=2):
            operation = operations.get(row["operation"])
            if operation is None:
                raise ReferenceDataError(f"country_results.csv line {line}: unknown operation {row['operation']!r}")
            country = self._country(row["country"])
            if country is None:
                continue
            participation = self._participation(operation, country)
            if row["other"] and row["other"] not in participation.notes:
                participation.notes = "\n".join(filter(None, [participation.notes, row["other"]]))
                participation.save(update_fields=["notes"])
            source = self._source(row["source_url"])
            for metric in (Metric.VICTIMS_RESCUED, Metric.ARRESTS):
                if not row[metric.value]:
                    continue
                value = int(row[metric.value])
                self._figure(
                    operation,
                    participation,
                    metric,
                    Figure(value),
                    source,
                    key=f"country_results.csv|{row['operation']}|{row['country']}|{metric.value}|{value}",
                    quote=row["other"],
                    preferred=None if value == largest[(row["operation"], row["country"], metric)] else False,
                )

    def _alternatives(self, rows, operations):
        """Values other sources give for a figure (SOURCES.md's conflicts): kept, never preferred."""
        for row in rows:
            operation = operations[row["operation"]]
            participation = None
            if row["country"]:
                participation = self._participation(operation, self._country(row["country"]))
            source = self._source(
                row["source_url"],
                publisher=row["publisher"],
                title=row["source_title"],
                published=_date(row["source_published"]),
            )
            figure = Figure.parse(row["figure"])
            self._figure(
                operation,
                participation,
                Metric(row["metric"]),
                figure,
                source,
                key=f"alternative_figures.csv|{row['operation']}|{row['metric']}|{row['figure']}|{row['publisher']}",
                quote=row["quote"],
                preferred=False,
            )


def load_reference(directory: Path) -> LoadReport:
    # Each country's kept total is regrouped once at the end, not once per participation created.
    with services.deferred_country_totals():
        return ReferenceLoader(directory).load()
