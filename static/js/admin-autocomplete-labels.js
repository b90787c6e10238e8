"use strict";
// Names the parts of Django's autocomplete widget (select2 4.0) for screen readers: select2 hides the labelled
// <select> and shows a textbox (single choice) or a search box (several) that carry no name of their own.
// Each gets the field's label, or the aria-label a tabular inline's select has (LabelledTabularFields).
{
    const $ = django.jQuery;

    const nameOf = (select) => {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        const text = select.getAttribute("aria-label") || (label ? label.textContent : "");
        return text.trim().replace(/\s*:$/, "");
    };

    const labelWidgets = (root) => {
        $(root).find("select.admin-autocomplete").each((index, select) => {
            const container = select.nextElementSibling; // select2 puts its widget right after the <select>
            const name = nameOf(select);
            if (!name || !container || !container.classList.contains("select2-container")) return;
            for (const part of container.querySelectorAll("[role=textbox], .select2-search__field")) {
                part.setAttribute("aria-label", name);
            }
        });
    };

    // After Django's autocomplete.js, which starts select2 on the same events: its handlers were registered first.
    $(() => labelWidgets(document));
    document.addEventListener("formset:added", (event) => labelWidgets(event.target));
}
