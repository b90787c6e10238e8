"""Benchmark: draft every article of ../shared/extraction/dev with `manage.py extract_figures` and print score.py's
summary (figure precision/recall/F1, qualifier accuracy, countries, dates) and the time per article. Not a test.

    .venv/bin/python benchmarks/extraction.py                  # ../shared/extraction/dev (or $EXTRACTION_DIR/dev)
    .venv/bin/python benchmarks/extraction.py --corpus DIR     # another folder in the same format (with expected.json)
    .venv/bin/python benchmarks/extraction.py --details        # every missed or extra figure

Goals (issue #20): figure F1 >= 0.90, qualifier accuracy >= 0.95, countries F1 >= 0.85, under 200 ms per article.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("EXTRACTION_DIR", ROOT.parent / "shared" / "extraction"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS / "dev", help="folder of NN-slug.txt and expected.json")
    parser.add_argument("--details", action="store_true", help="print score.py's list of mismatches")
    args = parser.parse_args()
    corpus = args.corpus
    scorer = corpus.parent / "score.py"
    if not (corpus / "expected.json").exists() or not scorer.exists():
        print(f"no corpus at {corpus} (with expected.json and ../score.py): nothing to measure")
        return 0
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    with tempfile.TemporaryDirectory() as folder:
        predictions = Path(folder) / "predictions.json"
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "extract_figures", str(corpus), "--json", str(predictions)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        print(run.stdout.strip(), f"(whole command, start-up and country tables included: {wall:.2f} s)")
        command = [sys.executable, str(scorer), str(predictions), "--expected", str(corpus / "expected.json")]
        if args.details:
            command.append("--details")
        print(subprocess.run(command, capture_output=True, text=True, check=True).stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
