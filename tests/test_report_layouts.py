"""The layout corpus (``bench/layout_corpus.py``): every seed and written test document
printed to PDF by fpdf2 and by headless Chromium in ten layouts (ruled, unruled with a narrow
label column, rotated pages; ruled serif, borderless right-aligned with no-break-space
thousands, borderless decimal-aligned with thin-space thousands, proportional text without
tables, two columns, a small font, a large font with tables broken over pages). From every
layout the PDF must give at least 97 % of the figures the document gives as text (the same
metric, dimensions, period and value) and at most 2 % other figures.

The PDFs are built once per machine into a cache outside the repository (they hold the
seeds' text) and the figures read from each are cached by its bytes and the extractor's
code: a run with an unchanged extractor reads nothing again."""

from __future__ import annotations

import pytest

from bench import layout_corpus

MIN_READ, MAX_EXTRA = 0.97, 0.02
LAYOUTS = {layout.name: layout for layout in layout_corpus.LAYOUTS}


@pytest.fixture(scope="module")
def agreements(seeds_dir) -> dict[str, list[layout_corpus.Agreement]]:
    if not layout_corpus.chromium_version():
        pytest.skip(f"{layout_corpus.CHROMIUM} is missing (apt-get install chromium)")
    found = layout_corpus.agreements(layout_corpus.documents(seeds_dir))
    by_layout: dict[str, list[layout_corpus.Agreement]] = {}
    for agreement in found:
        by_layout.setdefault(agreement.layout, []).append(agreement)
    return by_layout


def test_the_corpus_has_two_producers_and_eight_layouts():
    assert {layout.producer for layout in LAYOUTS.values()} == {"fpdf2", "chromium"}
    assert len(LAYOUTS) >= 8


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_document_reads_from_the_layout_as_from_its_text(agreements, layout: str):
    found = agreements[layout]
    seeds = [a for a in found if a.document[:3].isdigit()]
    assert len(seeds) == 4 and min(a.text_figures for a in seeds) > 100
    failing = [a for a in found if a.read_share < MIN_READ or a.extra_share > MAX_EXTRA]
    assert not failing, "\n" + layout_corpus.table(failing)
