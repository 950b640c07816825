"""One refresh of a document folder as a nightly run meets it: the four real seeds, seed 004
printed by headless Chromium with borderless, right-aligned tables (the PDF that used to
crash the extractor and fail the whole night), a document that trips a defect of the
extractor and a document printing figures no association can have. The refresh publishes:
the PDF with its figures and the reading that won, the defective document as a failed row
with its traceback, the impossible figures kept out of the marts (and of dbt's casts)."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dagster import AssetSelection

from bench import layout_corpus
from ingestion.reports import prose
from tests.refresh_helpers import failure_report, refreshed_data_dir, run_refresh_in_process

BORDERLESS = "chromium borderless right-aligned"
# Written for the test (a registered association, a year no seed covers).
IMPOSSIBLE = (
    "Samordningsförbundet Sundsvall\nÅrsredovisning 2021\n\n"
    "Under året har totalt -610 deltagare tagit del av förbundets insatser.\n\n"
    "Belopp i kr\t2021\n"
    "Försäkringskassan\t100 000 000 000 000 000\n"
    "Sundsvalls kommun\t2 000 000\n"
)
# Negative counts in a table row (the prose case is in IMPOSSIBLE).
NEGATIVE_PARTICIPANTS = (
    "Samordningsförbundet Stockholms stad\nÅrsredovisning 2023\n\n"
    "Tabell 3. Deltagare per insats\n\n"
    "Insats Totalt Kvinnor Män\n"
    "Individinriktade insatser\n"
    "Aktivitetsplatsen -12 -5 -7\n"
)


@pytest.fixture(scope="module")
def refreshed(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not layout_corpus.chromium_version():
        pytest.skip(f"{layout_corpus.CHROMIUM} is missing (apt-get install chromium)")
    seed = next(seeds_dir.glob("004_*.txt"))
    layout = next(lay for lay in layout_corpus.LAYOUTS if lay.name == BORDERLESS)
    # The corpus's own PDF (the same cache as tests/test_report_layouts.py).
    pdf = layout_corpus.build(layout_corpus.documents(seeds_dir), [layout])[(seed.name,
                                                                              BORDERLESS)]
    folder = tmp_path_factory.mktemp("documents")
    shutil.copyfile(pdf, folder / f"{seed.stem}.pdf")
    (folder / "defective.txt").write_text(
        "Samordningsförbundet Exempelstad\nÅrsredovisning 2023\n\nÅrets resultat 10 tkr\n",
        encoding="utf-8")
    (folder / "impossible.txt").write_text(IMPOSSIBLE, encoding="utf-8")
    (folder / "negative_participants.txt").write_text(NEGATIVE_PARTICIPANTS, encoding="utf-8")
    data_dir = refreshed_data_dir(tmp_path_factory)  # the statistics loaded already
    real = prose.extract

    def defect_on_one_document(doc):
        if doc.source == "defective.txt":
            raise KeyError("a defect only this document trips")
        return real(doc)

    from orchestration.assets.exports import EXPORT_ASSETS
    from orchestration.assets.reports import report_tables
    from orchestration.definitions import defs

    # The reports and what follows them up to the publish; the exports read the published
    # marts and add nothing here.
    selection = list((AssetSelection.assets(report_tables).downstream()
                      - AssetSelection.assets(*EXPORT_ASSETS)).resolve(defs.resolve_asset_graph()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prose, "extract", defect_on_one_document)
        result = run_refresh_in_process(
            data_dir, selection,
            FINSAM_DOCUMENT_DIRS=os.pathsep.join([str(seeds_dir), str(folder)]))
    assert result.success, failure_report(result)
    return data_dir / "warehouse.duckdb"


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_night_publishes_every_readable_document(refreshed: Path):
    rows = dict(query(refreshed, "select document_name, status from marts.dim_report_document"))
    assert rows == {"000_b03f12ffb94f162a.txt": "loaded", "001_c7b6b091cb08f66d.txt": "loaded",
                    "003_580c1843f8db6fa0.txt": "loaded", "004_3dc4c14805d5a08c.txt": "loaded",
                    "004_3dc4c14805d5a08c.pdf": "loaded", "defective.txt": "failed",
                    "impossible.txt": "loaded", "negative_participants.txt": "loaded"}


def test_the_borderless_pdf_gives_the_figures_of_its_text(refreshed: Path):
    key = "metric, member, intervention, gender, reason, basis, period_start, period_end, value"
    by_document = {}
    for name in ("004_3dc4c14805d5a08c.txt", "004_3dc4c14805d5a08c.pdf"):
        by_document[name] = Counter(query(refreshed, f"""
            select {key} from raw.report_figures
            where source = '{name}' and check_status <> 'rejected'"""))
    text, pdf = by_document.values()
    assert sum(text.values()) > 200
    assert sum((text & pdf).values()) >= 0.97 * sum(text.values())
    assert sum((pdf - text).values()) <= 0.02 * sum(text.values())
    (reading, passed, possible, score), = query(refreshed, """
        select reading, arithmetic_checks_passed, arithmetic_checks_possible, arithmetic_score
        from marts.dim_report_document where document_name = '004_3dc4c14805d5a08c.pdf'""")
    assert reading in ("positions", "text_layer", "mixed")
    assert 0 < passed <= possible and score == round(passed / possible, 4)


def test_a_defective_document_is_a_failed_row_with_its_traceback(refreshed: Path):
    (error,), = query(refreshed, "select error from marts.dim_report_document "
                                 "where document_name = 'defective.txt'")
    assert error == "extractor defect: KeyError: 'a defect only this document trips'"
    (check, severity, message), = query(refreshed, """
        select check_name, severity, message from raw.report_issues
        where source = 'defective.txt'""")
    assert (check, severity) == ("extractor_defect", "error")
    assert "Traceback (most recent call last)" in message
    assert "in defect_on_one_document" in message


def test_impossible_figures_stay_out_of_the_marts(refreshed: Path):
    rejected = query(refreshed, """
        select metric, value from raw.report_figures
        where source = 'impossible.txt' and check_status = 'rejected' order by metric""")
    assert rejected == [("member_contribution", 1e17), ("participants", -610.0)]
    errors = query(refreshed, """
        select line, message from raw.report_issues
        where source = 'impossible.txt' and check_name = 'implausible_value'
        and severity = 'error' order by line""")
    assert [line for line, _ in errors] == [4, 7]
    assert errors[0][1].startswith("impossible.txt, page 1, line 4: participants of -610")
    assert query(refreshed, """
        select count(*) from staging.stg_reports__report_figures
        where source = 'impossible.txt'""") == [(1,)]  # the municipality's 2 000 000 kr
    document_id = query(refreshed, "select document_id from marts.dim_report_document "
                                   "where document_name = 'impossible.txt'")[0][0]
    assert query(refreshed, f"""
        select member, value_sek from marts.fct_association_finances
        where document_id = '{document_id}'""") == [("municipality", 2_000_000)]


def test_negative_counts_in_a_table_never_reach_the_marts_and_are_named(refreshed: Path):
    """Each of the row's three counts is an error naming document, page and line; the
    marts have no negative participants."""
    errors = query(refreshed, """
        select line, message from raw.report_issues
        where source = 'negative_participants.txt'
          and check_name = 'implausible_value' and severity = 'error'""")
    assert [line for line, _ in errors] == [8, 8, 8]
    assert errors[0][1].startswith("negative_participants.txt, page 1, line 8: participants of -")
    assert query(refreshed, """
        select count(*) from marts.fct_participants
        where intervention = 'Aktivitetsplatsen' and participants < 0""") == [(0,)]
