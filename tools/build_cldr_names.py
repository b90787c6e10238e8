"""Build operations/data/cldr_names.json: CLDR's territory names (countries and UN M49 regions) in the interface
languages, from Babel. Run it after upgrading Babel; tests/test_countries.py checks the file matches the installed
Babel.

    .venv/bin/python tools/build_cldr_names.py
"""

import json
from pathlib import Path

from babel import Locale, __version__

OUTPUT = Path(__file__).resolve().parent.parent / "operations" / "data" / "cldr_names.json"
LANGUAGES = ("en", "es", "fr")


def names():
    return {"babel": __version__, **{language: dict(Locale.parse(language).territories) for language in LANGUAGES}}


def main():
    OUTPUT.write_text(json.dumps(names(), ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
