"""Countries come from the maintained libraries, and the names sources use resolve to the right country."""

import pytest

from operations.countries import _cldr_file, localized_name, localized_subregion, normalize_name
from operations.models import Country
from operations.queries import country_resolver

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_there_with_its_region():
    assert Country.objects.count() >= 249
    for iso2, region, subregion in [
        ("AW", "Americas", "Caribbean"),
        ("CW", "Americas", "Caribbean"),
        ("TC", "Americas", "Caribbean"),
        ("SX", "Americas", "Caribbean"),
        ("CI", "Africa", "Western Africa"),
        ("GB", "Europe", "Northern Europe"),
    ]:
        country = Country.objects.get(iso2=iso2)
        assert (country.region, country.subregion) == (region, subregion)
        assert len(country.iso3) == 3


@pytest.mark.parametrize(
    ("name", "iso2"),
    [
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Curacao", "CW"),
        ("Curazao", "CW"),
        ("Brasil", "BR"),
        ("Brésil", "BR"),
        ("España", "ES"),
        ("Espagne", "ES"),
        ("the Netherlands", "NL"),
        ("Democratic Republic of Congo", "CD"),
        ("Islas Turcas y Caicos", "TC"),
        ("Sint Maarten", "SX"),
        ("BR", "BR"),
        ("bra", "BR"),
        ("UK", "GB"),
        ("UAE", "AE"),
        ("Rusia", "RU"),
        ("États-Unis", "US"),
    ],
)
def test_aliases_resolve_to_the_right_country(name, iso2):
    assert country_resolver().resolve(name).iso2 == iso2


@pytest.mark.parametrize("name", ["Atlantis", "", "ZZ", "<script>"])
def test_unknown_names_resolve_to_nothing(name):
    assert country_resolver().resolve(name) is None


def test_normalize_name_ignores_case_accents_punctuation_and_the():
    assert normalize_name("The Côte-d'Ivoire ") == normalize_name("cote d ivoire")


def test_the_cldr_names_file_is_what_the_installed_babel_says():
    """operations/data/cldr_names.json is written from Babel (tools/build_cldr_names.py); after a Babel upgrade that
    changes a name, this fails until the file is written again."""
    from babel import __version__

    from tools.build_cldr_names import names

    assert _cldr_file() == names(), f"run tools/build_cldr_names.py (Babel {__version__})"


def test_country_and_region_names_come_from_the_file_in_each_language():
    assert localized_name("CI", "Côte d'Ivoire", "es") == "Côte d’Ivoire"
    assert localized_name("DZ", "Algeria", "es") == "Argelia"
    assert localized_name("DE", "Germany", "fr") == "Allemagne"
    assert localized_subregion("Southern Europe", "es") == "Europa meridional"
    assert localized_subregion("South-eastern Asia", "fr") == "Asie du Sud-Est"
