"""The app's pages as the URLconf lists them, with sample parameters: the permission matrix and the layout matrix
both walk them, so a new page cannot be forgotten by either."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Values for the URL parameters of the app's routes (reference data loaded by conftest).
SAMPLE_KWARGS = {"slug": "libertad", "iso2": "br"}


def app_urls():
    """(name, url) for every named route of the operations app, with sample parameters filled in."""
    urls = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "operations":
            for route in pattern.url_patterns:
                if isinstance(route, URLPattern) and route.name:
                    kwargs = {key: SAMPLE_KWARGS[key] for key in route.pattern.converters}
                    urls.append((route.name, reverse(f"operations:{route.name}", kwargs=kwargs)))
    return urls
