"""How to cite the dataset at its current version (title, version date, URL, access date), in APA and BibTeX."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .caching import version_row

TITLE = "Trafficking Operations Tracker"
# The dataset's group author, as APA and BibTeX name an organisation.
AUTHOR = "Trafficking Operations Tracker"


@dataclass(frozen=True)
class Citation:
    """The dataset as of `version_date` (None when no write has dated it yet), at `url`, read on `accessed`.

    In English whatever the interface language: a reference list is written in the citing work's language, and the
    title and the APA/BibTeX keywords are the same in every one."""

    title: str
    version_date: datetime.date | None
    url: str
    accessed: datetime.date

    @property
    def version(self) -> str:
        return self.version_date.isoformat() if self.version_date else ""

    def apa(self) -> str:
        """APA 7th edition, data set with a changing version: author, year, title, version, retrieval date."""
        year = self.version_date.year if self.version_date else "n.d."
        version = f" (Version of {self.version})" if self.version_date else ""
        retrieved = f"{self.accessed:%B} {self.accessed.day}, {self.accessed.year}"
        return f"{AUTHOR}. ({year}). {self.title}{version} [Data set]. Retrieved {retrieved}, from {self.url}"

    def bibtex(self) -> str:
        key = f"tracker_{(self.version_date or self.accessed):%Y_%m_%d}"
        year = self.version_date.year if self.version_date else self.accessed.year
        fields = [
            ("author", f"{{{AUTHOR}}}"),
            ("title", self.title),
            ("year", str(year)),
            ("version", self.version or "unknown"),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", "Data set"),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{key},\n{body}\n}}"

    def as_dict(self) -> dict:
        """What an API response carries under meta.citation."""
        return {
            "title": self.title,
            "version_date": self.version or None,
            "url": self.url,
            "accessed": self.accessed.isoformat(),
            "apa": self.apa(),
            "bibtex": self.bibtex(),
        }


def for_request(request) -> Citation:
    """The citation of the data as this request sees it: the data version's date, the site's URL, today."""
    changed_at = version_row(request)[1]
    return Citation(
        title=TITLE,
        version_date=timezone.localdate(changed_at) if changed_at else None,
        url=request.build_absolute_uri(reverse("operations:home")),
        accessed=timezone.localdate(),
    )


def cite_in_headers(response, request):
    """A download carries the citation in its headers (a CSV or XLSX file has no place for it that parsers would
    not read as data): `X-Dataset-Citation` (APA) and `X-Dataset-Version` (the version date)."""
    cited = for_request(request)
    # Headers are Latin-1: the title and URL are ASCII, the rest is generated here.
    response["X-Dataset-Citation"] = cited.apa().encode("latin-1", "replace").decode("latin-1")
    response["X-Dataset-Version"] = cited.version or "unknown"
    return response


def context_processor(request) -> dict:
    """`citation` for every template (base.html's "Cite this" footer), read only when a template uses it."""
    return {"citation": SimpleLazyObject(lambda: for_request(request))}
