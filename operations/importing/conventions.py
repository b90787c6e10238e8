"""How the spreadsheet format's free text maps onto stored fields: a source's publisher and title, whether a
publisher is the coordinating body itself, and which exploitation forms an "exploitation types" text names."""

import re
from urllib.parse import urlparse

# Words in `exploitation_types` and the form each one means.
EXPLOITATION_KEYWORDS = [
    (r"sex", "sexual-exploitation"),
    (r"forced labou?r|labou?r exploitation|farms|domestic servitude", "forced-labour"),
    (r"forced criminality|scam|fraud", "forced-criminality"),
    (r"child labou?r", "child-labour"),
    (r"child (trafficking|exploitation)|adoption", "child-exploitation"),
    (r"begging", "forced-begging"),
    (r"domestic servitude", "domestic-servitude"),
    (r"organ", "organ-removal"),
    (r"smuggling", "migrant-smuggling"),
]

PRIMARY_PUBLISHERS = ("INTERPOL", "Europol", "Frontex")


def split_title(source_title):
    """'Some headline (INTERPOL)' -> ('INTERPOL', 'Some headline')."""
    match = re.match(r"^(?P<title>.*)\s+\((?P<publisher>[^()]*)\)\s*$", source_title or "")
    if match:
        return match["publisher"], match["title"]
    return "", source_title or ""


def publisher_from_url(url):
    host = urlparse(url).hostname or ""
    return re.sub(r"^(www|en|es|fr|in)\.", "", host)
