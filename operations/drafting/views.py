"""The admin page "New operation from a source": read a source, review every proposal, confirm.

Nothing is written before the confirm, and nothing is kept between the steps on the server: the review form carries
the source's text (never fetched again) and the editor's choices; the confirm writes them in one transaction."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..models import Country, Operation
from .fetch import fetch
from .forms import CountryFormSet, FigureFormSet, ReviewForm, SourceForm
from .places import editor_aliases
from .proposals import Draft
from .services import FigureChoice, ReviewedDraft, matching_operations, period_fields, save_draft
from .sources import Source, SourceError, from_bytes, from_text

TEMPLATE_SOURCE = "admin/operations/operation/draft_source.html"
TEMPLATE_REVIEW = "admin/operations/operation/draft_review.html"
# The review form's fields in the page's two sections.
OPERATION_FIELDS = ("operation", "name", "start_date", "end_date", "date_precision", "countries_reported")
SOURCE_FIELDS = ("source_url", "source_title", "source_publisher", "source_published")


def _country_choices():
    return [(iso2, f"{name} ({iso2})") for iso2, name in Country.objects.order_by("name").values_list("iso2", "name")]


def highlight(text: str, figures) -> list[dict]:
    """The source text in pieces for the template: each proposal's quote marked (id "quote-N"), its number phrase
    strong inside it. Overlapping quotes share one mark."""
    spans = sorted((f["quote_start"], f["quote_end"], index) for index, f in enumerate(figures) if f["quote_end"])
    merged = []
    for start, end, index in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(index)
        else:
            merged.append([start, end, [index]])
    strong = sorted((f["start"], f["end"]) for f in figures)
    pieces, position = [], 0
    for start, end, indexes in merged:
        if start > position:
            pieces.append({"text": text[position:start]})
        inner = start
        for s, e in strong:
            if s >= inner and e <= end:
                if s > inner:
                    pieces.append({"text": text[inner:s], "mark": indexes[0]})
                pieces.append({"text": text[s:e], "mark": indexes[0], "strong": True})
                inner = e
        if inner < end:
            pieces.append({"text": text[inner:end], "mark": indexes[0]})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:]})
    return pieces


class DraftFromSource:
    """The view, bound to the admin site it is shown in (OperationAdmin.get_urls hooks it in)."""

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def __call__(self, request):
        admin = self.model_admin
        if not (admin.has_add_permission(request) and admin.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **admin.admin_site.each_context(request),
            "opts": Operation._meta,
            "title": _("New operation from a source"),
            # The review needs the width (proposals beside the source's text): no admin navigation sidebar here.
            "is_nav_sidebar_enabled": False,
        }
        if request.method == "POST" and "review" in request.POST:
            return self.review(request, context)
        form = SourceForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                source = self.read(form.cleaned_data)
            except SourceError as error:
                form.add_error(None, str(error))
            else:
                draft = source.draft(editor_aliases())
                if draft.has_figures:
                    return self.render_review(request, context, source, draft, 0)
                context["no_figures"] = source
        status = 400 if form.errors else 200
        return TemplateResponse(request, TEMPLATE_SOURCE, {**context, "form": form}, status=status)

    @staticmethod
    def read(cleaned) -> Source:
        language = cleaned.get("language") or None
        if cleaned.get("url"):
            fetched = fetch(cleaned["url"].strip())
            return from_bytes(fetched.content, url=fetched.url, content_type=fetched.content_type, language=language)
        if cleaned.get("file"):
            upload = cleaned["file"]
            return from_bytes(upload.read(), content_type=upload.content_type or "", language=language)
        return from_text(cleaned["text"], language=language)

    def render_review(self, request, context, source: Source, draft: Draft, index: int, forms=None):
        index = min(index, len(draft.operations) - 1)
        proposal = draft.operations[index]
        figures = [vars(figure) for figure in proposal.figures]
        if forms is None:
            forms = self.initial_forms(source, proposal, index)
        review, figure_forms, country_forms = forms
        context.update(
            review=review,
            operation_fields=[review[name] for name in OPERATION_FIELDS],
            source_fields=[review[name] for name in SOURCE_FIELDS],
            figure_forms=figure_forms,
            country_forms=country_forms,
            rows=list(zip(figure_forms.forms, figures, strict=False)),
            proposal=proposal,
            operations=[(i, operation) for i, operation in enumerate(draft.operations)],
            index=index,
            pieces=highlight(draft.text, figures),
            media=review.media,
            year_from_page=getattr(review, "year_from_page", False),
        )
        invalid = review.is_bound and not (review.is_valid() and figure_forms.is_valid() and country_forms.is_valid())
        status = 400 if invalid else 200
        return TemplateResponse(request, TEMPLATE_REVIEW, context, status=status)

    def initial_forms(self, source: Source, proposal, index):
        start, end, precision, year_from_page = period_fields(proposal.start_date, proposal.end_date, source.published)
        month_day = proposal.start_date[-5:] if proposal.start_date else None
        year = start.year if start else (source.published.year if source.published else None)
        matches = matching_operations(proposal.name or "", month_day, year)
        review = ReviewForm(
            initial={
                "text": source.text,
                "language": source.language,
                "operation_index": index,
                "source_url": source.url,
                "source_title": source.title,
                "source_publisher": source.publisher,
                "source_published": source.published,
                "operation": matches[0].pk if matches else None,
                "name": proposal.name or "",
                "start_date": start,
                "end_date": end,
                "date_precision": precision,
                "countries_reported": proposal.countries_reported,
            }
        )
        review.year_from_page = year_from_page
        review.matched = matches[0] if matches else None
        choices = _country_choices()
        figure_forms = FigureFormSet(
            prefix="figures",
            initial=[
                {
                    "accept": True,
                    "metric": figure.metric,
                    "value": figure.value,
                    "qualifier": figure.qualifier,
                    "country": figure.country or "",
                    "stated_as": figure.stated_as,
                    "quote": figure.quote,
                    "start": figure.start,
                }
                for figure in proposal.figures
            ],
            form_kwargs={"country_choices": choices},
        )
        country_forms = CountryFormSet(
            prefix="countries",
            initial=[
                {"accept": True, "country": country.iso2, "role": country.role, "mention": country.mention}
                for country in proposal.countries
            ],
            form_kwargs={"country_choices": choices},
        )
        return review, figure_forms, country_forms

    def review(self, request, context):
        choices = _country_choices()
        review = ReviewForm(request.POST)
        figure_forms = FigureFormSet(request.POST, prefix="figures", form_kwargs={"country_choices": choices})
        country_forms = CountryFormSet(request.POST, prefix="countries", form_kwargs={"country_choices": choices})
        text, language = request.POST.get("text", ""), request.POST.get("language", "en")
        try:
            source = from_text(text, language=language if language in ("en", "es", "fr") else None)
        except SourceError as error:
            messages.error(request, str(error))
            return redirect("admin:operations_operation_draft")
        source.url = request.POST.get("source_url", "")
        draft = source.draft(editor_aliases())
        if not draft.has_figures:
            messages.error(request, _("No figures were found in this text."))
            return redirect("admin:operations_operation_draft")
        if "switch" in request.POST:  # the editor picked another operation of a multi-operation text
            try:
                index = int(request.POST["switch"])
            except ValueError:
                index = 0
            if review.is_valid():
                source.title = review.cleaned_data["source_title"]
                source.publisher = review.cleaned_data["source_publisher"]
                source.published = review.cleaned_data["source_published"]
            return self.render_review(request, context, source, draft, index)
        index = review.cleaned_data.get("operation_index", 0) if review.is_valid() else 0
        valid = review.is_valid() & figure_forms.is_valid() & country_forms.is_valid()
        if not valid:
            return self.render_review(request, context, source, draft, index, (review, figure_forms, country_forms))
        data = review.cleaned_data
        reviewed = ReviewedDraft(
            source_url=data["source_url"],
            source_title=data["source_title"],
            source_publisher=data["source_publisher"],
            source_published=data["source_published"],
            source_language=data["language"],
            operation=data["operation"],
            name=data["name"].strip(),
            start_date=data["start_date"],
            end_date=data["end_date"],
            date_precision=data["date_precision"],
            countries_reported=data["countries_reported"],
            countries=[
                (form.cleaned_data["country"], form.cleaned_data["role"])
                for form in country_forms.forms
                if form.cleaned_data.get("accept")
            ],
            figures=[
                FigureChoice(
                    metric=form.cleaned_data["metric"],
                    value=form.cleaned_data["value"],
                    qualifier=form.cleaned_data["qualifier"],
                    country=form.cleaned_data["country"] or None,
                    stated_as=form.cleaned_data["stated_as"],
                    quote=form.cleaned_data["quote"],
                )
                for form in figure_forms.forms
                if form.cleaned_data.get("accept")
            ],
        )
        operation = save_draft(reviewed, user=request.user)  # one transaction (services.changes())
        messages.success(
            request,
            _("%(operation)s: %(count)s figures recorded from the source.")
            % {"operation": operation, "count": len(reviewed.figures)},
        )
        return redirect(operation.get_absolute_url())
