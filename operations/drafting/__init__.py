"""Drafting an operation from a press release: read a source, propose every figure, country and date for review.

The pipeline (pipeline.py) runs: segment (text.py) -> find numbers and their qualifiers (numbers.py) -> metric
(metrics.py) -> country (places.py, participants.py) -> operation (names.py, dates.py) -> choose figures. Sources
(pasted text, saved pages, fetched URLs) are read by sources.py and fetch.py; nothing here needs the network at
import time or downloads a model."""
