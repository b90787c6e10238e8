"""Countries come from the maintained libraries, and the names sources use resolve to the right country."""

import pytest

from operations.countries import normalize_name
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
