"""`manage.py extract_figures`: texts in, predictions out in the shape of the extraction corpus's expected.json."""

import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_extract_figures_reads_corpus_text_and_html_and_writes_predictions(tmp_path):
    (tmp_path / "01-synthetic.txt").write_text(
        "https://example.org/synthetic\nes\n\nLa operación “Synthetic Brisa” permitió detener a 2.517 personas "
        "y rescatar a más de 3.000 víctimas entre el 2 y el 8 de junio.",
        encoding="utf-8",
    )
    (tmp_path / "02-synthetic.html").write_text(
        "<html lang='fr'><head><title>Synthétique</title></head><body><article><p>L'opération Synthétique Vent "
        "a permis de secourir près de 700 victimes et d'interpeller 41 personnes au Niger.</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "expected.json").write_text("[]", encoding="utf-8")  # not a text: left alone
    output = tmp_path / "predictions.json"
    call_command("extract_figures", str(tmp_path), "--json", str(output), stdout=open("/dev/null", "w"))
    predictions = {row["file"]: row for row in json.loads(output.read_text(encoding="utf-8"))}
    assert set(predictions) == {"01-synthetic.txt", "02-synthetic.html"}
    (spanish,) = predictions["01-synthetic.txt"]["operations"]
    assert (spanish["name"], spanish["start_date"], spanish["end_date"]) == ("Synthetic Brisa", "--06-02", "--06-08")
    assert {(f["metric"], f["value"], f["qualifier"], f["country"]) for f in spanish["figures"]} == {
        ("arrests", 2517, "exact", None),
        ("victims_rescued", 3000, "more_than", None),
    }
    assert all(f["stated_as"] in f["quote"] for f in spanish["figures"])
    (french,) = predictions["02-synthetic.html"]["operations"]
    assert french["countries_named"] == ["NE"]
    assert {(f["metric"], f["value"], f["qualifier"]) for f in french["figures"]} == {
        ("victims_rescued", 700, "approx"),
        ("arrests", 41, "exact"),
    }


def test_extract_figures_refuses_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("extract_figures", str(tmp_path / "nope.txt"), "--json", str(tmp_path / "out.json"))
