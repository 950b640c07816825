"""Generate a national-scale FINSAM_DATA_DIR: SAMPLE data in the sources' real formats.

    python bench/generate_national.py DIR [--years 15] [--document-years 9] [--doc-lines 600]

What lands in DIR (everything invented, deterministic, marked as a sample in the data):

- ``reference/``: the repository's real registry, extended to 75 active associations. The
  added ones are ``sample-NN`` / "Samordningsförbundet ExempelNN" with a note starting
  ``SAMPLE:`` (members ``inferred``); they take the municipalities no real association has
  today, county by county, so all 290 municipalities belong to an association. In this
  synthetic country no municipality is outside, so ``municipalities_outside.csv`` is empty.
- ``snapshots/``: SCB population (TAB638 to 2024, TAB5557 after) and HE (JSON-stat 2.0) and
  the Arbetsförmedlingen workbooks (andel-av-reg before 2023, andel-av-bas from 2023, data in
  pivot caches), written by the embedded-snapshot writer ``bench.sample_snapshot``
  with a longer calendar: ``--years`` years from 2014 (the fetchers read SCB from 2014, the
  first HE month, so 15 years reach 2028; the years after 2025 are placeholders for volume
  only) and monthly unemployment for the same years.
- ``documents/``: per association and document year an annual report (Stockholm-style note
  tables and prose), a half-year report (tab-separated budget follow-up, Sundsvall-style) and
  an interim report (space-separated period columns), each starting with the
  ``EXEMPELDOKUMENT`` marker and padded with neutral prose to ``--doc-lines`` lines on
  average (the seeds have 900–2,500 lines). 75 associations × 9 years × 3 ≈ 2,000 files.
- ``overrides/``: an empty override file (header only).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import textwrap
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(REPO_ROOT))

from bench import pdf_layout, sample_snapshot  # noqa: E402
from ingestion import reference  # noqa: E402
from ingestion.reports import overrides  # noqa: E402
from ingestion.reports.documents import load_associations, read_document  # noqa: E402

N_ASSOCIATIONS = 75
FIRST_YEAR = 2014  # the fetchers' first year (SCB's HE series starts in 2014)
LAST_DOCUMENT_YEAR = 2024
SEED = 20261125
SAMPLE_HEADER = "EXEMPELDOKUMENT - SAMPLE DOCUMENT (invented figures, not a published report)"
SAMPLE_NOTE = "SAMPLE: synthetic association for the national-scale benchmark, not a real one"
SAMPLE_SOURCE = "bench/generate_national.py"
SAMPLE_START = date(2010, 1, 1)
STATE_POT_SEK = 339_000_000  # dbt var state_pot_sek: scales contributions plausibly
REASONS = (
    ("Arbete", 0.25), ("Studier", 0.08), ("Fortsatt rehabilitering", 0.30),
    ("Sjukdom, vård, behandling", 0.27), ("Övrigt", 0.10),
)
INTERVENTIONS = (
    "Aktivitetsplatsen", "FINSAM-team", "Novum", "Steget vidare", "Arbetsträning", "Bron",
    "Samordnat stöd", "IPS-projektet", "Språkstöd", "Hälsoteamet", "Unga vuxna",
)
# Neutral prose to pad documents to a realistic length; it names no figure the extractor
# reads (no "N deltagare (W kvinnor och M män)", no kronor amounts).
FILLER_SUBJECTS = (
    "Förbundet", "Styrelsen", "Beredningsgruppen", "Kansliet", "Parterna", "Verksamheten",
    "Insatsen", "Samverkansteamet", "Processledaren", "Arbetsgruppen",
)
FILLER_VERBS = (
    "har under perioden arbetat vidare med", "har fortsatt att utveckla",
    "har lagt särskild vikt vid", "har följt upp arbetet med", "har genomfört en översyn av",
    "har samverkat kring", "har tagit fram underlag om", "har prioriterat",
)
FILLER_OBJECTS = (
    "samordnade rehabiliteringsinsatser för personer långt från arbetsmarknaden",
    "strukturella insatser som stärker samverkan mellan myndigheterna",
    "uppföljning av deltagarnas stegförflyttningar och upplevda hälsa",
    "kompetensutveckling för medarbetare hos förbundets parter",
    "gemensamma arbetssätt i det lokala samverkansforumet",
    "information till invånare och medarbetare om förbundets verksamhet",
    "utvärdering av insatsernas kvalitet tillsammans med forskare",
    "riktlinjer för intern kontroll och god ekonomisk hushållning",
)
FILLER_HEADINGS = (
    "Verksamhetsberättelse", "Målgrupp och behov", "Samverkan med parterna", "Uppföljning",
    "Strukturella insatser", "Kompetensutveckling", "Intern kontroll", "Framtid",
)


@dataclass(frozen=True)
class Association:
    association_id: str
    name: str  # as printed in its documents
    county_code: str
    region: str  # the member region as printed ("Region Värmland")
    members: tuple[str, ...]


def write_reference(source: Path, target: Path) -> list[Association]:
    """Copy the registry and add synthetic associations up to ``N_ASSOCIATIONS`` active ones;
    returns the active associations (the ones that publish reports)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("municipalities.csv", "associations.csv", "association_members.csv"):
        shutil.copyfile(source / name, target / name)
    # The synthetic country places every municipality: no one outside (the header only).
    header = (source / "municipalities_outside.csv").read_text(encoding="utf-8").split("\n")[0]
    (target / "municipalities_outside.csv").write_text(header + "\n", encoding="utf-8")
    municipalities = reference.load_municipalities(source)
    associations = reference.load_table("associations", source)
    associations = associations[associations["dissolved"].isna()]
    members = reference.load_table("association_members", source)
    current = members[members["valid_to"].isna()]
    free = municipalities[~municipalities["municipality_code"].isin(current["municipality_code"])]
    # A municipality whose real membership ended joins its synthetic association the next day.
    ended = members.dropna(subset=["valid_to"]).groupby("municipality_code")["valid_to"].max()
    start = {code: max(SAMPLE_START, ended[code] + timedelta(days=1)) if code in ended
             else SAMPLE_START for code in free["municipality_code"]}
    n_new = max(N_ASSOCIATIONS - len(associations), free["county_code"].nunique())
    groups = _split_by_county(free, n_new)

    regions = {row.county_code: region_name(row.county_name)
               for row in municipalities.itertuples()}
    result = [
        Association(row.association_id, row.association_name, row.county_code,
                    regions[row.county_code],
                    tuple(current.loc[current["association_id"] == row.association_id,
                                      "municipality_code"]))
        for row in associations.itertuples()
    ]
    with (target / "associations.csv").open(encoding="utf-8") as handle:
        columns = next(csv.reader(handle))  # the registry's columns, whatever their order
    with (target / "associations.csv").open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", extrasaction="ignore")
        for number, (county, codes) in enumerate(groups, start=1):
            name = f"Samordningsförbundet Exempel{number:02d}"
            writer.writerow({"association_id": f"sample-{number:02d}", "association_name": name,
                             "county_code": county, "founded": SAMPLE_START.isoformat(),
                             "source": SAMPLE_SOURCE, "note": SAMPLE_NOTE})
            result.append(Association(f"sample-{number:02d}", name, county, regions[county],
                                      tuple(codes)))
    with (target / "association_members.csv").open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for association in result[len(associations):]:
            for code in association.members:
                writer.writerow([association.association_id, code, start[code].isoformat(), "",
                                 "inferred", SAMPLE_SOURCE, SAMPLE_NOTE])
    reference.load_reference(target)  # the extended registry must pass the same checks
    return result


def region_name(county_name: str) -> str:
    """'Värmlands län' → 'Region Värmland', 'Kalmar län' → 'Region Kalmar'."""
    name = county_name.removesuffix(" län")
    return f"Region {name[:-1] if name.endswith('s') else name}"


def _split_by_county(free, n_groups: int) -> list[tuple[str, list[str]]]:
    """Chunk the free municipalities into ``n_groups`` associations within counties, the
    number per county proportional to its free municipalities (largest remainder)."""
    by_county = {county: list(frame["municipality_code"])
                 for county, frame in free.groupby("county_code", sort=True)}
    total = sum(len(codes) for codes in by_county.values())
    quotas = {c: n_groups * len(codes) / total for c, codes in by_county.items()}
    counts = {c: max(1, int(q)) for c, q in quotas.items()}
    for county in sorted(quotas, key=lambda c: quotas[c] - int(quotas[c]), reverse=True):
        if sum(counts.values()) >= n_groups:
            break
        if counts[county] < len(by_county[county]):
            counts[county] += 1
    while sum(counts.values()) > n_groups:  # more counties than groups: merge the largest
        largest = max(counts, key=lambda c: counts[c])
        counts[largest] -= 1
    groups = []
    for county, codes in by_county.items():
        for chunk in np.array_split(np.array(codes), counts[county]):
            groups.append((county, [str(code) for code in chunk]))
    return groups


def write_snapshots(reference_dir: Path, target: Path, years: list[int]) -> np.ndarray:
    """SCB and Arbetsförmedlingen snapshots; returns population[municipality, year, age, sex]."""
    return sample_snapshot.write_snapshot(
        target, reference.load_municipalities(reference_dir), np.random.default_rng(SEED),
        years=years, he_years=years, unemployment_years=years,
    )


# Documents ------------------------------------------------------------------------------

def _n(value: float) -> str:
    """An integer as Swedish reports print it: 12 345 (negative with a hyphen)."""
    text = f"{abs(round(value)):,}".replace(",", " ")
    return f"-{text}" if round(value) < 0 else text


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _filler(rng: np.random.Generator, n_lines: int) -> list[str]:
    lines: list[str] = []
    while len(lines) < n_lines:
        lines += ["", str(rng.choice(FILLER_HEADINGS)), ""]
        for _ in range(int(rng.integers(3, 7))):
            sentence = (f"{rng.choice(FILLER_SUBJECTS)} {rng.choice(FILLER_VERBS)} "
                        f"{rng.choice(FILLER_OBJECTS)}.")
            lines += textwrap.wrap(sentence, 60)
    return lines[:n_lines]


# A line of a document: text, or a table row as a tuple of cells (text reports print it
# space- or tab-separated, a PDF as a row of a real table).
Line = str | tuple[str, ...]


@dataclass(frozen=True)
class YearFigures:
    state: int  # SEK, the state's contribution; region and municipalities each half of it
    participants: tuple[int, int]  # women, men
    exits: tuple[int, ...]  # per reason, in REASONS order
    interventions: tuple[tuple[str, int, int], ...]  # name, budget tkr, outcome tkr
    result_tkr: int
    equity_opening_tkr: int
    ideal_share_pct: int


def year_figures(rng: np.random.Generator, funding_sek: float) -> YearFigures:
    state = int(round(funding_sek / 2 / 1000) * 1000)
    participants = int(max(40, funding_sek / 60_000 * rng.uniform(0.7, 1.3)))
    women = int(participants * rng.uniform(0.5, 0.65))
    n_exits = int(participants * rng.uniform(0.3, 0.5))
    exits = rng.multinomial(n_exits, [share for _, share in REASONS])
    names = rng.choice(INTERVENTIONS, size=int(rng.integers(3, 7)), replace=False)
    costs = rng.dirichlet(np.ones(len(names))) * funding_sek * 0.8 / 1000
    interventions = tuple((str(name), int(cost), int(cost * rng.uniform(0.85, 1.1)))
                          for name, cost in zip(names, costs, strict=True))
    return YearFigures(
        state=state,
        participants=(women, participants - women),
        exits=tuple(int(e) for e in exits),
        interventions=interventions,
        result_tkr=int(funding_sek * rng.uniform(-0.05, 0.08) / 1000),
        equity_opening_tkr=int(funding_sek * rng.uniform(0.05, 0.3) / 1000),
        ideal_share_pct=int(rng.integers(50, 130)),
    )


def annual_report(a: Association, year: int, f: YearFigures, previous: YearFigures,
                  filler: list[str]) -> list[Line]:
    women, men = f.participants
    exits_women = [int(e * women / (women + men)) for e in f.exits]
    total_exits = sum(f.exits)
    income = 4 * f.state // 2 + 300_000
    previous_income = 4 * previous.state // 2 + 250_000
    costs = income - f.result_tkr * 1000
    ideal_mnkr = 4 * f.state / 2 / 1e6 * 100 / f.ideal_share_pct
    half = len(filler) // 2
    # Participants spread over the interventions in proportion to their cost.
    weights = [outcome for _, _, outcome in f.interventions]
    per_intervention = [max(1, (women + men) * w // max(sum(weights), 1)) for w in weights]
    per_intervention_women = [n * women // (women + men) for n in per_intervention]
    lines = [
        SAMPLE_HEADER, "", a.name, f"Årsredovisning {year} (exempel)", "", *filler[:half], "",
        "Året i korthet",
        f"Under året har totalt {women + men} deltagare ({women} kvinnor och {men} män) tagit "
        "del av förbundets",
        f"insatser. Totalt har {total_exits} deltagare ({sum(exits_women)} kvinnor och "
        f"{total_exits - sum(exits_women)} män) avslutat en insats under året.",
        "",
        f"Förbundets resultat för {year} uppgår till {_n(f.result_tkr)} tkr. Vid ingången av "
        "året uppgick förbundets",
        f"eget kapital till {_n(f.equity_opening_tkr)} tkr och vid utgången av året uppgår det "
        f"egna kapitalet till {_n(f.equity_opening_tkr + f.result_tkr)} tkr.",
        "",
        f"{a.name} har {f.ideal_share_pct} procent av den beräknade idealfördelningen,",
        f"vilket är {_decimal(4 * f.state / 2 / 1e6)} mnkr jämfört med {_decimal(ideal_mnkr)} "
        "mnkr enligt idealfördelningen.",
        "",
        "Tabell 1. Avslutade deltagare per avslutsorsak", "",
        ("Avslutsorsak", "Totalt", "Kvinnor", "Män"),
        *((label, str(e), str(w), str(e - w))
          for (label, _), e, w in zip(REASONS, f.exits, exits_women, strict=True)),
        ("Summa", str(total_exits), str(sum(exits_women)), str(total_exits - sum(exits_women))),
        "",
        "Tabell 2. Budget och utfall per insats", "",
        ("tkr", "Budget", "Utfall", "Differens"), ("Individinriktade insatser",),
        *((name, _n(budget), _n(outcome), _n(budget - outcome))
          for name, budget, outcome in f.interventions),
        "", "Tabell 3. Deltagare per insats", "",
        ("Insats", "Totalt", "Kvinnor", "Män"), ("Individinriktade insatser",),
        *((name, str(n), str(w), str(n - w)) for (name, _, _), n, w in zip(
            f.interventions, per_intervention, per_intervention_women, strict=True)),
        "", *filler[half:], "",
        "Not 2. Verksamhetens intäkter", "",
        ("Belopp i kr", f"{year}-01-01 - {year}-12-31", f"{year - 1}-01-01 - {year - 1}-12-31"),
        ("Driftbidrag från staten", _n(f.state), _n(previous.state)),
        ("Driftbidrag från kommunerna", _n(f.state // 2), _n(previous.state // 2)),
        (f"Driftbidrag från {a.region}", _n(f.state // 2), _n(previous.state // 2)),
        ("Övriga intäkter", _n(300_000), _n(250_000)),
        ("Summa intäkter", _n(income), _n(previous_income)), "",
        "Resultaträkning", "",
        ("Belopp i kr", f"{year}-01-01 - {year}-12-31", f"{year - 1}-01-01 - {year - 1}-12-31"),
        ("Verksamhetens kostnader", _n(-costs),
         _n(-(previous_income - previous.result_tkr * 1000))),
        ("Årets resultat", _n(f.result_tkr * 1000), _n(previous.result_tkr * 1000)),
    ]
    return lines


def half_year_report(a: Association, year: int, f: YearFigures, filler: list[str]
                     ) -> list[Line]:
    women, men = (p // 2 for p in f.participants)
    total_tkr = 2 * f.state // 1000
    rows = [("Försäkringskassan/Arbetsförmedlingen", f.state // 1000),
            ("Kommunerna", f.state // 2000), (a.region, f.state // 2000)]
    budget_costs = sum(b for _, b, _ in f.interventions)
    outcome_costs = sum(o for _, _, o in f.interventions) // 2
    return [
        SAMPLE_HEADER, "", a.name, f"Halvårsrapport {year} (exempel)", "", *filler, "",
        f"Från januari till och med juni {year} har totalt {women + men} deltagare "
        f"({women} kvinnor och {men} män)",
        "tagit del av förbundets insatser.", "",
        f"Budgetuppföljning {year}-06-30, tusentals kronor", "",
        ("", f"Budget {year}", f"Utfall 30/6-{year}", f"Prognos {year}"),
        *((label, _n(v), _n(v // 2), _n(v)) for label, v in rows),
        ("Summa intäkter", _n(total_tkr), _n(total_tkr // 2), _n(total_tkr)),
        (f"Insatser {year}", "", "", ""),
        *((name, _n(b), _n(o // 2), _n(o)) for name, b, o in f.interventions),
        (f"Summa kostnader {year}", _n(budget_costs), _n(outcome_costs), _n(budget_costs)),
        (f"Resultat {year}", _n(total_tkr - budget_costs), _n(total_tkr // 2 - outcome_costs),
         _n(total_tkr - budget_costs)),
    ]


def interim_report(a: Association, year: int, f: YearFigures, previous: YearFigures,
                   filler: list[str]) -> list[Line]:
    # Half a year of all three members, in tkr: six-digit kronor amounts side by side
    # ("869 250 867 500") are ambiguous to any reader.
    income, previous_income = f.state // 1000, previous.state // 1000
    return [
        SAMPLE_HEADER, "", a.name, f"Delårsrapport {year} (exempel)", "", *filler, "",
        "Resultaträkning", "",
        ("Belopp i tkr", f"{year}-01-01 - {year}-06-30", f"{year - 1}-01-01 - {year - 1}-06-30"),
        ("Driftbidrag från staten", _n(income // 2), _n(previous_income // 2)),
        ("Driftbidrag från kommunerna", _n(income // 4), _n(previous_income // 4)),
        (f"Driftbidrag från {a.region}", _n(income // 4), _n(previous_income // 4)),
        ("Summa intäkter", _n(income), _n(previous_income)),
        ("Verksamhetens kostnader", _n(-income * 0.9), _n(-previous_income * 0.95)),
        ("Periodens resultat", _n(income * 0.1), _n(previous_income * 0.05)),
    ]


def recognised(a: Association, registry: dict[str, tuple[str, ...]]) -> bool:
    """Does the extractor attribute a document headed with ``a``'s name to ``a``? An
    association it does not recognise is skipped: its documents would have no id."""
    header = "\n".join([SAMPLE_HEADER, "", a.name, "Årsredovisning 2020"]).encode()
    return read_document(header, "probe.txt", registry).association_id == a.association_id


def write_documents(associations: list[Association], codes: list[str], cube: np.ndarray,
                    snapshot_years: list[int], document_years: list[int], doc_lines: int,
                    target: Path, pdf_target: Path | None = None, pdf_every: int = 1) -> int:
    """Three documents per association and year; returns the number written. Every
    ``pdf_every``-th document is also printed as a PDF with real tables into ``pdf_target``
    (as associations publish them) for the PDF extraction benchmark."""
    target.mkdir(parents=True, exist_ok=True)
    if pdf_target is not None:
        pdf_target.mkdir(parents=True, exist_ok=True)
    index = {code: i for i, code in enumerate(codes)}
    working_age = cube[:, :, 16:65, :].sum(axis=(2, 3))  # [municipality, year]
    national = working_age.sum(axis=0)
    written = 0
    registry = load_associations(target.parent / "reference" / "associations.csv")
    # Line budgets per type, in the seeds' proportions (annual : half-year : interim).
    budgets = {"annual": doc_lines * 3 // 2, "half": doc_lines * 3 // 4,
               "interim": doc_lines * 3 // 4}
    for number, a in enumerate(associations):
        if not recognised(a, registry):
            continue
        rows = [index[c] for c in a.members]
        rng = np.random.default_rng([SEED, number])
        level = rng.uniform(0.6, 1.3)
        figures: dict[int, YearFigures] = {}
        for year in [document_years[0] - 1, *document_years]:
            y = min(max(year - snapshot_years[0], 0), len(snapshot_years) - 1)
            share = working_age[rows, y].sum() / national[y] if rows else 0.004
            funding = max(2 * STATE_POT_SEK * share * level, 1_500_000)
            figures[year] = year_figures(rng, funding)
        for year in document_years:
            f, previous = figures[year], figures[year - 1]
            stem = f"sample_{a.association_id}_{year}"
            documents = {
                f"{stem}_arsredovisning.txt": annual_report(
                    a, year, f, previous, _filler(rng, budgets["annual"])),
                f"{stem}_halvarsrapport.txt": half_year_report(
                    a, year, f, _filler(rng, budgets["half"])),
                f"{stem}_delarsrapport.txt": interim_report(
                    a, year, f, previous, _filler(rng, budgets["interim"])),
            }
            for name, lines in documents.items():
                separator = "\t" if name.endswith("_halvarsrapport.txt") else " "
                (target / name).write_text(as_text(lines, separator), encoding="utf-8")
                if pdf_target is not None and written % pdf_every == 0:
                    pdf_layout.write(lines, pdf_target / f"{Path(name).stem}.pdf")
                written += 1
    return written


def as_text(lines: list[Line], separator: str) -> str:
    """A document as text: table rows (tuples of cells) joined by ``separator``."""
    return "".join(f"{line if isinstance(line, str) else separator.join(line)}\n"
                   for line in lines)


def generate(target: Path, n_years: int = 15, document_years: int = 9,
             doc_lines: int = 600, pdf_every: int = 0) -> dict[str, object]:
    """Write a complete data folder into ``target`` (emptied first); returns a summary.
    With ``pdf_every`` > 0, every so many documents are also printed as PDFs into
    ``target/pdf_documents`` (not an input of the refresh)."""
    started = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    associations = write_reference(REPO_ROOT / "data" / "reference", target / "reference")
    years = list(range(FIRST_YEAR, FIRST_YEAR + n_years))
    cube = write_snapshots(target / "reference", target / "snapshots", years)
    codes = list(reference.load_municipalities(target / "reference")["municipality_code"])
    doc_years = list(range(LAST_DOCUMENT_YEAR - document_years + 1, LAST_DOCUMENT_YEAR + 1))
    skipped = [a.association_id for a in associations
               if not recognised(a, load_associations(target / "reference" / "associations.csv"))]
    pdf_target = target / "pdf_documents" if pdf_every > 0 else None
    n_documents = write_documents(associations, codes, cube, years, doc_years, doc_lines,
                                  target / "documents", pdf_target, max(pdf_every, 1))
    (target / "overrides").mkdir()
    (target / "overrides" / "report_figures.csv").write_text(
        ",".join(overrides.COLUMNS) + "\n", encoding="utf-8")
    return {
        "data_dir": str(target),
        "associations": len(associations),
        "municipalities": len(codes),
        "statistics_years": f"{years[0]}-{years[-1]}",
        "document_years": f"{doc_years[0]}-{doc_years[-1]}",
        "documents": n_documents,
        "no_documents_for": ", ".join(skipped) or "-",
        "document_bytes": sum(p.stat().st_size for p in (target / "documents").iterdir()),
        "pdf_documents": len(list(pdf_target.iterdir())) if pdf_target else 0,
        "snapshot_bytes": sum(p.stat().st_size for p in (target / "snapshots").rglob("*")
                              if p.is_file()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="the data folder to (re)create")
    parser.add_argument("--years", type=int, default=15, help="statistics years from 2014")
    parser.add_argument("--document-years", type=int, default=9,
                        help="years of reports, ending in 2024 (3 documents each)")
    parser.add_argument("--doc-lines", type=int, default=600,
                        help="average lines per document (filler prose included)")
    parser.add_argument("--pdf-every", type=int, default=0,
                        help="also print every N-th document as a PDF (0: none)")
    args = parser.parse_args(argv)
    summary = generate(args.target.resolve(), args.years, args.document_years, args.doc_lines,
                       args.pdf_every)
    for key, value in summary.items():
        print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
