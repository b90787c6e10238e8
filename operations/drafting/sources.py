"""Reading a source into text and metadata: pasted text, a saved page (HTML, through trafilatura) or the extraction
corpus's .txt format (line 1 the URL, line 2 the language, a blank line, then the text)."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from .pipeline import draft_text
from .proposals import Draft

# A source larger than this is refused, not read: press releases are a few tens of kilobytes, and a page of
# several megabytes is an archive, a PDF or a mistake (and costs seconds to parse).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
LANGUAGES = ("en", "es", "fr")
_CORPUS_HEAD = re.compile(r"\A(?P<url>https?://\S+)\n(?P<language>[a-z]{2,3})\n\n", re.I)
_HTML = re.compile(
    rb"\A\s*(?:<!--.*?-->\s*)?(?:<!doctype\s+html|<html|<head|<body|<meta|<article|<div|<p[\s>])", re.I | re.S
)
_LANG_ATTR = re.compile(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.I)
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "were", "was", "have", "has", "with", "said", "police", "victims"},
    "es": {"el", "la", "los", "las", "de", "del", "y", "que", "en", "fueron", "con", "por", "víctimas", "policía"},
    "fr": {"le", "la", "les", "des", "du", "et", "à", "été", "ont", "dans", "une", "par", "victimes", "police"},
}


class SourceError(ValueError):
    """A source that cannot be read; the message says why, for the editor."""


@dataclass
class Source:
    """What the tracker knows of a source before anything is saved."""

    text: str
    language: str
    url: str = ""
    title: str = ""
    publisher: str = ""
    published: date | None = None

    def draft(self, extra_country_names=None) -> Draft:
        return draft_text(self.text, self.language, extra_country_names)


def guess_language(text: str) -> str:
    """en, es or fr, by the most frequent common words (a press release has plenty)."""
    words = re.findall(r"[^\W\d_]+", text[:5000].casefold())
    scores = {language: sum(1 for word in words if word in stop) for language, stop in _STOPWORDS.items()}
    return max(scores, key=lambda language: (scores[language], language == "en"))


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SourceError(_("This file is not text or HTML (it looks like a binary file)."))
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(_("This file is not text or HTML (it could not be decoded)."))


def _check_size(size: int) -> None:
    if size > MAX_SOURCE_BYTES:
        raise SourceError(
            _("This source is %(size)s MB; the largest accepted is %(max)s MB.")
            % {"size": f"{size / 1048576:.1f}", "max": MAX_SOURCE_BYTES // 1048576}
        )


def from_text(text: str, language: str | None = None, url: str = "") -> Source:
    """Pasted plain text (or the corpus's .txt format, whose head gives the URL and language)."""
    _check_size(len(text.encode("utf-8")))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    head = _CORPUS_HEAD.match(text)
    if head:
        url = url or head["url"]
        language = language or head["language"].lower()
        text = text[head.end() :]
    if not text.strip():
        raise SourceError(_("The text is empty."))
    language = language if language in LANGUAGES else guess_language(text)
    return Source(text=text, language=language, url=url)


def from_html(html: str, url: str = "", language: str | None = None) -> Source:
    """A saved page: its main text (tables included, menus and footers left out) and its own metadata."""
    _check_size(len(html.encode("utf-8")))
    # Imported here: trafilatura and what it pulls in (lxml, courlan, htmldate, urllib3) took ~1 s and ~20 MB in
    # every web worker at start, for a page only editors drafting from HTML use.
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url or None, include_tables=True, include_comments=False, with_metadata=True
    )
    text = (document.text if document is not None else "") or ""
    if not text.strip():
        raise SourceError(_("No text could be read from this page."))
    declared = _LANG_ATTR.search(html[:5000])
    language = language or (declared.group(1).lower() if declared else None)
    source = from_text(text, language if language in LANGUAGES else None, url=url or (document.url or ""))
    source.title = (document.title or "")[:500]
    source.publisher = (document.sitename or document.hostname or "")[:200]
    if document.date:
        try:
            source.published = date.fromisoformat(document.date[:10])
        except ValueError:
            source.published = None
    return source


def from_bytes(data: bytes, url: str = "", content_type: str = "", language: str | None = None) -> Source:
    """An uploaded or fetched file: HTML when it looks like HTML, else plain text; anything else is refused."""
    _check_size(len(data))
    if content_type and not re.match(r"text/|application/(?:xhtml\+xml|xml)", content_type):
        raise SourceError(_("This is a %(type)s file, not a web page or a text.") % {"type": content_type})
    text = _decode(data)
    if _HTML.match(data[:2048]) or "html" in content_type:
        return from_html(text, url=url, language=language)
    return from_text(text, language=language, url=url)
