"""SCB's PxWebApi v2 as it really answers (sources.md §4b), served from a local server:
TAB638 until 2024 and TAB5557 from 2025, ``TotSa``, "100+1", a civilstånd split, the
misspelled HE label, an en dash in "20–64 år"; and the failures that must be loud."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion import config
from ingestion.sources import pxweb, scb_he, scb_population
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from ingestion.validation.rules import in_registry
from ingestion.validation.validate import RawValidationError, validate_raw

CODES = ["0180", "2281"]
REAL_STOCKHOLM_2025 = Path(__file__).parent / "fixtures" / "scb_TAB5557_2025_stockholm.json"


def jsonstat(dims: dict[str, dict[str, str]], values: list | None) -> bytes:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "id": list(dims),
        "size": [len(categories) for categories in dims.values()],
        "dimension": {
            code: {"label": code, "category": {"index": list(cats), "label": cats}}
            for code, cats in dims.items()
        },
    }
    if values is not None:
        doc["value"] = values
    return json.dumps(doc, ensure_ascii=False).encode()


REGIONS = {"0180": "Stockholm", "2281": "Sundsvall"}
CIVIL = {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"}
TAB638_AGES = {str(a): f"{a} år" for a in range(100)} | {"100+": "100+ år", "tot": "totalt ålder"}
TAB5557_AGES = {str(a): f"{a} år" for a in range(100)} | {
    "TotSA": "totalt, samtliga åldrar", "-4": "0–4 år", "60-64": "60–64 år",
    "100+1": "100+ år", "100+5": "100+ år", "100+10": "100+ år", "TOT1": "totalt, samtliga åldrar",
}


def tab638_metadata(years: list[str]) -> dict:
    return {
        "Region": {"00": "Riket", **REGIONS},
        "Civilstand": CIVIL,
        "Alder": TAB638_AGES,
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"},
        "Tid": {y: y for y in years},
    }


def tab5557_metadata(years: list[str], contents: dict | None = None) -> dict:
    return {
        "Region": {"00": "Riket", **REGIONS},
        "Civilstand": CIVIL | {"SC": "totalt, samtliga civilstånd"},
        "Alder": TAB5557_AGES,
        "Kon": {"1": "män", "2": "kvinnor", "TotSa": "totalt, samtliga män och kvinnor"},
        "ContentsCode": contents or {"000007ME": "Folkmängd", "000007MF": "Folkökning"},
        "Tid": {y: y for y in years},
    }


def single_ages(ages: dict[str, str]) -> dict[str, str]:
    return {c: label for c, label in ages.items() if c.isdigit() or c in {"100+", "100+1"}}


def tab638_2024() -> bytes:
    """As SCB answers even when Civilstand was left out: split by civilstånd. Every cell is
    1 except Stockholm, age 30, women: ogifta 400, gifta 300, skilda 20, änkor 3."""
    dims = {
        "Region": REGIONS, "Civilstand": CIVIL, "Alder": single_ages(TAB638_AGES),
        "Kon": {"1": "män", "2": "kvinnor"}, "ContentsCode": {"BE0101N1": "Folkmängd"},
        "Tid": {"2024": "2024"},
    }
    values = []
    for region, civil, age, sex in product(REGIONS, CIVIL, dims["Alder"], ("1", "2")):
        special = {"OG": 400, "G": 300, "SK": 20, "ÄNKL": 3}
        is_special = (region, age, sex) == ("0180", "30", "2")
        values.append(special[civil] if is_special else 1)
    return jsonstat(dims, values)


def tab5557_2025() -> bytes:
    """TAB5557's codes: Civilstand pinned to SC, oldest age "100+1". Cell value: 1000 for
    Stockholm, 10 for Sundsvall, + age, + 1 for women."""
    dims = {
        "Region": REGIONS, "Civilstand": {"SC": "totalt, samtliga civilstånd"},
        "Alder": single_ages(TAB5557_AGES), "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"000007ME": "Folkmängd"}, "Tid": {"2025": "2025"},
    }
    values = [
        (1000 if region == "0180" else 10) + (100 if age == "100+1" else int(age)) + int(sex) - 1
        for region, age, sex in product(REGIONS, dims["Alder"], ("1", "2"))
    ]
    return jsonstat(dims, values)


def serve_scb(httpserver: HTTPServer, bodies: dict[str, bytes | dict[str, bytes]]) -> None:
    """Answer each path like SCB, with an ETag and a 304 to a request that sends it; a
    ``{year: body}`` entry answers the data call by its ``valueCodes[Tid]``."""

    def handler(request: Request) -> Response:
        entry = bodies[request.path]
        body = entry if isinstance(entry, bytes) else entry[request.args["valueCodes[Tid]"]]
        etag = f'"{abs(hash(body))}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag}, content_type="application/json")

    for path in bodies:
        httpserver.expect_request(path).respond_with_handler(handler)


def population_bodies(**overrides: bytes | dict[str, bytes]) -> dict:
    bodies = {
        "/api/v2/tables/TAB638/metadata": jsonstat(tab638_metadata(["2023", "2024"]), None),
        "/api/v2/tables/TAB638/data": {"2024": tab638_2024()},
        "/api/v2/tables/TAB5557/metadata": jsonstat(tab5557_metadata(["2025"]), None),
        "/api/v2/tables/TAB5557/data": {"2025": tab5557_2025()},
    }
    return bodies | overrides


@pytest.fixture
def live(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fetcher:
    monkeypatch.setenv("FINSAM_SCB_API_URL", httpserver.url_for("/api/v2"))
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    http = HttpClient(tmp_path / "cache", retries=1, backoff_seconds=0.0, timeout_seconds=5)
    return Fetcher(mode="live", snapshots_dir=tmp_path, client=http)


def test_population_is_tab638_then_tab5557(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_scb(httpserver, population_bodies())
    frame = scb_population.fetch_population(live, CODES, first_year=2024)
    rows = frame.set_index(["municipality_code", "year", "age", "sex"])["population"]
    # 2024 (TAB638): civilstånd summed on purpose, 400 + 300 + 20 + 3 = 723; other cells
    # are 1 per civilstånd, so 4.
    assert rows[("0180", 2024, 30, "women")] == 723
    assert rows[("0180", 2024, 30, "men")] == 4
    assert rows[("2281", 2024, 100, "women")] == 4
    # 2025 (TAB5557): 1000 + age + 1 for women; "100+1" is age 100.
    assert rows[("0180", 2025, 64, "women")] == 1000 + 64 + 1
    assert rows[("0180", 2025, 100, "men")] == 1000 + 100
    assert rows[("2281", 2025, 0, "men")] == 10
    # Every year once: 2 municipalities × 101 ages × 2 sexes per year, no 2023 (first_year).
    assert sorted(frame["year"].unique()) == [2024, 2025]
    assert len(frame) == 2 * 2 * 101 * 2
    # Population 16–64 of Sundsvall in 2025 by hand: Σ_{a=16}^{64} (10 + a) + (11 + a)
    # = 49 × 21 + 2 × (16 + … + 64) = 1029 + 2 × 1960 = 4949.
    sundsvall = frame.query("municipality_code == '2281' and year == 2025 and 16 <= age <= 64")
    assert sundsvall["population"].sum() == 4949
    assert not frame["is_sample"].any()
    validate_raw("population", frame, scb_population.SOURCE, [in_registry(CODES)])
    requests = {(r.path, r.args.get("valueCodes[Tid]")): r for r, _ in httpserver.log}
    history = requests[("/api/v2/tables/TAB638/data", "2024")].args
    assert history["valueCodes[ContentsCode]"] == "BE0101N1"
    assert history["valueCodes[Alder]"].split(",")[-1] == "100+"
    assert "valueCodes[Civilstand]" not in history  # no total category: SCB sums it
    current = requests[("/api/v2/tables/TAB5557/data", "2025")].args
    assert current["valueCodes[ContentsCode]"] == "000007ME"  # read from the metadata
    assert current["valueCodes[Kon]"] == "1,2"  # not the total TotSa
    assert current["valueCodes[Civilstand]"] == "SC"  # the total, read from its label
    assert current["valueCodes[Alder]"].split(",")[-1] == "100+1"
    assert "100+5" not in current["valueCodes[Alder]"]


def test_nightly_rerun_makes_only_conditional_requests(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    serve_scb(httpserver, population_bodies())
    first = scb_population.fetch_population(live, CODES, first_year=2024)
    n_first = len(httpserver.log)
    second = scb_population.fetch_population(live, CODES, first_year=2024)
    rerun = httpserver.log[n_first:]
    assert len(rerun) == n_first == 4
    assert all(request.headers.get("If-None-Match") for request, _ in rerun)
    assert {response.status_code for _, response in rerun} == {304}
    assert second.equals(first)


def test_zero_row_year_names_table_and_year(httpserver: HTTPServer, live: Fetcher) -> None:
    empty = json.loads(tab5557_2025())
    empty["size"][0] = 0
    empty["dimension"]["Region"]["category"] = {"index": [], "label": {}}
    empty["value"] = []
    serve_scb(httpserver, population_bodies(
        **{"/api/v2/tables/TAB5557/data": {"2025": json.dumps(empty).encode()}}))
    with pytest.raises(SourceFormatError) as error:
        scb_population.fetch_population(live, CODES, first_year=2024)
    message = str(error.value)
    assert message.startswith(f"{scb_population.SOURCE}: TAB5557 2025: the response holds no")
    assert "/api/v2/tables/TAB5557/data" in message


def test_removed_content_code_fails_before_asking_for_data(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    renamed = tab5557_metadata(["2025"], contents={"000007MF": "Folkökning"})
    serve_scb(httpserver, population_bodies(
        **{"/api/v2/tables/TAB5557/metadata": jsonstat(renamed, None)}))
    with pytest.raises(SourceFormatError) as error:
        scb_population.fetch_population(live, CODES, first_year=2024)
    assert "TAB5557: no ContentsCode labelled 'Folkmängd'" in str(error.value)
    assert not any(r.path.endswith("/data") for r, _ in httpserver.log)


def test_unexpected_dimension_is_rejected_by_name(httpserver: HTTPServer, live: Fetcher) -> None:
    doc = json.loads(tab5557_2025())
    doc["id"].insert(1, "Fodelseregion")
    doc["size"].insert(1, 2)
    doc["dimension"]["Fodelseregion"] = {
        "label": "födelseregion",
        "category": {"index": ["SE", "UT"], "label": {"SE": "Sverige", "UT": "utlandet"}},
    }
    doc["value"] = doc["value"] * 2
    serve_scb(httpserver, population_bodies(
        **{"/api/v2/tables/TAB5557/data": {"2025": json.dumps(doc).encode()}}))
    with pytest.raises(SourceFormatError, match="unexpected dimension Fodelseregion"):
        scb_population.fetch_population(live, CODES, first_year=2024)


def test_a_year_between_the_tables_is_a_gap(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_scb(httpserver, population_bodies(**{
        "/api/v2/tables/TAB638/metadata": jsonstat(tab638_metadata(["2022", "2023"]), None),
    }))
    with pytest.raises(SourceFormatError, match=r"no data for year\(s\) \[2024\]"):
        scb_population.fetch_population(live, CODES, first_year=2022)


def test_missing_variable_is_a_clear_error(httpserver: HTTPServer, live: Fetcher) -> None:
    metadata = {k: v for k, v in tab638_metadata(["2024"]).items() if k != "Alder"}
    serve_scb(httpserver, population_bodies(
        **{"/api/v2/tables/TAB638/metadata": jsonstat(metadata, None)}))
    with pytest.raises(SourceFormatError) as error:
        scb_population.fetch_population(live, CODES)
    message = str(error.value)
    assert message.startswith(f"{scb_population.SOURCE}: variable(s) ['Alder'] missing")
    assert "/api/v2/tables/TAB638/metadata" in message


def test_truncated_jsonstat_is_a_clear_error(httpserver: HTTPServer, live: Fetcher) -> None:
    body = json.loads(tab5557_2025())
    body["value"] = body["value"][:5]  # valid JSON, but cells are missing
    serve_scb(httpserver, population_bodies(
        **{"/api/v2/tables/TAB5557/data": {"2025": json.dumps(body).encode()}}))
    with pytest.raises(SourceFormatError, match=r"5 values for 404 cells"):
        scb_population.fetch_population(live, CODES, first_year=2024)


def test_real_tab5557_body_reads_with_the_metadata_rules() -> None:
    """SCB's own answer for Stockholm 2025 (kept in tests/fixtures with its provenance):
    single ages among age groups and totals, ``TotSa`` as the sex total."""
    dataset = pxweb.parse_jsonstat(REAL_STOCKHOLM_2025.read_bytes())
    ages = scb_population.single_ages(dataset.dimensions["Alder"])
    assert len(ages) == 101 and ages["100+1"] == 100 and "100+5" not in ages
    assert dataset.dimensions["Kon"].total_code() == "TotSa"
    assert dataset.dimensions["Civilstand"].total_code() == "SC"
    assert dataset.dimensions["ContentsCode"].find("Folkmängd") == "000007ME"
    frame = dataset.without_extra_dimensions(scb_population.VARIABLES)
    by_age = frame[frame["Alder"].isin(ages)].set_index("Alder")["value"]
    # Stockholm aged 16–64 on 31 Dec 2025: the single ages add up to 667 712. SCB's own
    # groups give the same within its noise (cell key method): 10–19 105 334 less ages
    # 10–15 (62 762) + 20–29 131 508 + 30–39 176 417 + 40–49 136 727 + 50–59 123 521
    # + 60–64 56 966 = 667 711.
    sixteen_to_64 = by_age[[str(a) for a in range(16, 65)]].sum()
    assert sixteen_to_64 == 667_712
    assert abs(sixteen_to_64 - 667_711) <= 5


HE_CONTENTS = {
    "0000018F": "Sjukpenning",
    "0000018G": "Sjuk- och aktivitetsersersättning",  # SCB's spelling
    "0000018J": "Ekonomiskt  bistånd",  # double space: whitespace is normalised
    "0000018L": "Summa helårsekvivalenter",
    "0000018M": "Folkmängd",
    "0000018N": "Andel av befolkningen",  # no age band in the label
}


def he_dims(months: list[str], total: str = "TotSa", contents: dict = HE_CONTENTS,
            total_label: str = "totalt, samtliga män och kvinnor") -> dict:
    return {
        "Region": {"0180": "Stockholm"},
        "Kon": {"1": "män", "2": "kvinnor", total: total_label},
        "Aldersgrupp": {"20-64": "20–64 år"},  # en dash
        "ContentsCode": contents,
        "Tid": {m: m for m in months},
    }


def he_values() -> list[float]:
    """Month m (0..11) of content c for sex s: 100·c + 10·s + m, so each yearly mean is
    100·c + 10·s + 5.5 (mean of 0..11)."""
    return [
        100 * c + 10 * s + m
        for s, c, m in product(range(3), range(len(HE_CONTENTS)), range(12))
    ]


@pytest.mark.parametrize("total", ["TotSa", "1+2"])
def test_he_real_labels_and_total_codes(httpserver: HTTPServer, live: Fetcher, total: str
                                        ) -> None:
    months_2023 = [f"2023M{m:02d}" for m in range(1, 13)]
    # 2024 has one month only, so it is not fetched.
    metadata = he_dims([*months_2023, "2024M01"], total)
    metadata["Aldersgrupp"]["20-65"] = "20–65 år"
    values = he_values()
    values[0 * 72 + 2 * 12 + 5] = None  # men, Ekonomiskt bistånd, June: not reported
    serve_scb(httpserver, {
        "/api/v2/tables/TAB1386/metadata": jsonstat(metadata, None),
        "/api/v2/tables/TAB1386/data": {",".join(months_2023):
                                        jsonstat(he_dims(months_2023, total), values)},
    })
    fye, share = scb_he.fetch_full_year_equivalents(live, ["0180"])
    by = fye.set_index(["sex", "benefit_type"])["full_year_equivalents"]
    assert by[("men", "sickness_benefit")] == pytest.approx(5.5)  # c=0, s=0
    # The misspelled label is sickness and activity compensation: c=1, women s=1.
    assert by[("women", "sickness_and_activity_compensation")] == pytest.approx(115.5)
    assert pd.isna(by[("men", "social_assistance")])  # 11 months are not a year
    assert by[("total", "total")] == pytest.approx(325.5)  # c=3, total s=2
    assert set(fye["year"]) == {2023}
    row = share.set_index("sex").loc["total"]
    assert (row["population"], row["share_pct"]) == (426, pytest.approx(525.5))
    assert row["age_band"] == "20-64"
    request = httpserver.log[1][0]
    assert request.args["valueCodes[Tid]"] == ",".join(months_2023)
    assert request.args["valueCodes[Kon]"].split(",") == ["1", "2", total]
    assert request.args["valueCodes[Aldersgrupp]"] == "20-64"


def test_he_unknown_content_label_fails_naming_it(httpserver: HTTPServer, live: Fetcher) -> None:
    contents = {**HE_CONTENTS, "0000018X": "Bostadsbidrag"}
    serve_scb(httpserver, {"/api/v2/tables/TAB1386/metadata":
                           jsonstat(he_dims(["2023M01"], contents=contents), None)})
    with pytest.raises(SourceFormatError) as error:
        scb_he.fetch_full_year_equivalents(live, ["0180"])
    assert str(error.value).startswith(f"{scb_he.SOURCE}: unknown ContentsCode label")
    assert "Bostadsbidrag" in str(error.value)


def test_he_zero_row_year_names_table_and_year(httpserver: HTTPServer, live: Fetcher) -> None:
    months = [f"2023M{m:02d}" for m in range(1, 13)]
    serve_scb(httpserver, {
        "/api/v2/tables/TAB1386/metadata": jsonstat(he_dims(months), None),
        "/api/v2/tables/TAB1386/data": {",".join(months): jsonstat(
            he_dims(months), [None] * len(he_values()))},
    })
    with pytest.raises(SourceFormatError, match="TAB1386 2023: the response holds no HE rows"):
        scb_he.fetch_full_year_equivalents(live, ["0180"])


def test_embedded_snapshot_runs_the_same_parsers() -> None:
    fetcher = Fetcher(mode="embedded", snapshots_dir=config.REPO_ROOT / "data" / "snapshots")
    population = scb_population.fetch_population(fetcher, CODES, first_year=2023)
    assert sorted(population["year"].unique()) == [2023, 2024, 2025]
    assert population["is_sample"].all()
    sources = set(population["source"])
    assert {"embedded:scb/TAB638_2024.json.gz", "embedded:scb/TAB5557_2025.json.gz"} <= sources
    # The files hold all 290 municipalities; the fetcher keeps the ones asked for.
    assert set(population["municipality_code"]) == set(CODES)
    fye, share = scb_he.fetch_full_year_equivalents(fetcher, CODES, first_year=2024)
    assert fye["is_sample"].all() and share["is_sample"].all()
    assert len(fye) == 2 * 3 * 7 and len(share) == 2 * 3 and set(fye["year"]) == {2024}


def test_validation_names_source_and_offending_rows(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_scb(httpserver, population_bodies())
    frame = scb_population.fetch_population(live, CODES, first_year=2025)
    frame.loc[3, "population"] = -1
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # a repeated key
    with pytest.raises(RawValidationError) as error:
        validate_raw("population", frame, scb_population.SOURCE, [in_registry(["0180"])])
    message = str(error.value)
    assert message.startswith(f"{scb_population.SOURCE}: raw.population failed")
    assert "greater_than_or_equal_to(0)" in message and "-1" in message
    assert "not in data/reference/municipalities.csv" in message and "2281" in message
    assert "multiple_fields_uniqueness" in message


def test_rate_above_100_is_rejected() -> None:
    share = pd.DataFrame(
        {
            "municipality_code": ["0180"],
            "year": [2023],
            "sex": ["total"],
            "age_band": ["20-64"],
            "population": pd.array([600000], dtype="Int64"),
            "share_pct": [101.0],
            "source": ["test"],
            "provenance": ["real"],
            "is_sample": [False],
        }
    )
    with pytest.raises(RawValidationError, match="less_than_or_equal_to"):
        validate_raw("he_population_share", share, scb_he.SOURCE, [in_registry(["0180"])])


# --- labels by meaning (issue 21) --------------------------------------------------------

SEX_TOTALS = ["totalt", "Totalt", "TOTALT", "samtliga", "Samtliga", "män och kvinnor",
              "Män och kvinnor", "män och kvinnor totalt", "män och kvinnor, totalt",
              "kvinnor och män", "totalt, samtliga män och kvinnor", "båda könen"]


def dimension(code: str, labels: dict[str, str]) -> pxweb.Dimension:
    return pxweb.Dimension(code, code, list(labels), labels)


@pytest.mark.parametrize("total", SEX_TOTALS)
@pytest.mark.parametrize(("men", "women"), [("män", "kvinnor"), ("Män", "Kvinnor"),
                                            ("MÄN", "KVINNOR")])
def test_sex_labels_are_read_by_meaning(total: str, men: str, women: str) -> None:
    kon = dimension("Kon", {"1": men, "2": women, "1+2": total})
    assert pxweb.sex_codes(kon) == {"1": "men", "2": "women", "1+2": "total"}
    assert kon.total_code() == "1+2"


@pytest.mark.parametrize("labels", [
    {"1": "män", "2": "kvinnor", "3": "okänt kön"},  # a label no rule knows
    {"1": "män", "2": "män", "3": "totalt"},  # no women
    {"1": "män", "TotSa": "totalt"},
])
def test_an_unknown_or_missing_sex_fails_naming_the_labels(labels: dict[str, str]) -> None:
    with pytest.raises(ValueError) as error:
        pxweb.sex_codes(dimension("Kon", labels))
    assert str(labels) in str(error.value)


@pytest.mark.parametrize("label", ["20–64 år", "20—64 år", "20-64 år", "20 - 64 år", "20–64",
                                   "20−64 År", "20 år–64 år", "20-64"])
def test_the_age_band_is_read_by_meaning(label: str) -> None:
    groups = dimension("Aldersgrupp", {"A1": "16–19 år", "A2": label, "A3": "20–65 år"})
    assert scb_he.age_code(groups) == "A2"


def test_no_age_band_20_64_fails_naming_the_labels() -> None:
    groups = dimension("Aldersgrupp", {"A1": "16–19 år", "A3": "20–65 år", "A4": "120–64"})
    with pytest.raises(ValueError, match=r"no Aldersgrupp 20-64; the table has .*20–65 år"):
        scb_he.age_code(groups)


@pytest.mark.parametrize(("label", "meaning"), [
    ("SJUKPENNING", "sickness_benefit"),
    ("Sjuk– och aktivitetsersättning", "sickness_and_activity_compensation"),  # en dash
    ("Sjuk- och aktivitetsersersättning", "sickness_and_activity_compensation"),  # SCB's typo
    ("Arbetslöshetsersättning", "unemployment_benefit"),
    ("Arbetsmarknadsåtgärder", "activity_support"),
    ("Ekonomiskt  bistånd", "social_assistance"),
    ("Etableringsersättning", "establishment_benefit"),
    ("Summa helårsekvivalenter", "total"),
    ("Folkmängd", "population"),
    ("Andel av befolkningen 20–64 år", "share_pct"),
])
def test_he_contents_are_read_by_meaning(label: str, meaning: str) -> None:
    contents = {"T": "Summa helårsekvivalenter", "P": "Folkmängd",
                "S": "Andel av befolkningen", "X": label}
    assert scb_he.content_meanings(dimension("ContentsCode", contents))["X"] == meaning


@pytest.mark.parametrize(("label", "is_population"), [
    ("Folkmängd", True), ("folkmängd 31 december", True), ("Folkmängd, antal", True),
    ("FOLKMÄNGD", True), ("Folkökning", False), ("Folkmängdsförändring", False),
    ("Andel av folkmängden, procent", False),
])
def test_the_population_content_is_read_by_meaning(label: str, is_population: bool) -> None:
    assert scb_population.is_population_label(label) is is_population


def test_tab1386_with_man_och_kvinnor_totalt_loads(httpserver: HTTPServer, live: Fetcher
                                                   ) -> None:
    """TAB1386's metadata labels its sex total "män och kvinnor totalt": the label that made
    the first live night fail ("Kon lacks män/kvinnor/totalt")."""
    months = [f"2023M{m:02d}" for m in range(1, 13)]
    label = "män och kvinnor totalt"
    serve_scb(httpserver, {
        "/api/v2/tables/TAB1386/metadata": jsonstat(he_dims(months, "1+2", total_label=label),
                                                    None),
        "/api/v2/tables/TAB1386/data": {",".join(months): jsonstat(
            he_dims(months, "1+2", total_label=label), he_values())},
    })
    fye, share = scb_he.fetch_full_year_equivalents(live, ["0180"])
    by = fye.set_index(["sex", "benefit_type"])["full_year_equivalents"]
    assert by[("total", "total")] == pytest.approx(325.5)  # c=3, total s=2: 300 + 20 + 5.5
    assert set(fye["provenance"]) == {"real"} and not fye["is_sample"].any()


def test_a_table_without_a_sex_total_sums_its_parts(httpserver: HTTPServer, live: Fetcher
                                                    ) -> None:
    """Men and women only: the totals are their sums, the rate is recomputed from them."""
    months = [f"2023M{m:02d}" for m in range(1, 13)]
    dims = he_dims(months)
    dims["Kon"] = {"1": "Män", "2": "Kvinnor"}
    # month m of content c for sex s (0 men, 1 women): 100·c + 10·s + m → yearly means
    # 100·c + 10·s + 5.5
    values = [100 * c + 10 * s + m
              for s, c, m in product(range(2), range(len(HE_CONTENTS)), range(12))]
    serve_scb(httpserver, {
        "/api/v2/tables/TAB1386/metadata": jsonstat(dims, None),
        "/api/v2/tables/TAB1386/data": {",".join(months): jsonstat(dims, values)},
    })
    fye, share = scb_he.fetch_full_year_equivalents(live, ["0180"])
    by = fye.set_index(["sex", "benefit_type"])["full_year_equivalents"]
    assert by[("men", "total")] == pytest.approx(305.5)
    assert by[("total", "total")] == pytest.approx(305.5 + 315.5)
    assert by[("total", "sickness_benefit")] == pytest.approx(5.5 + 15.5)
    rate = share.set_index("sex")
    # population c=4: men 405.5, women 415.5; the rate is total HE / total population
    assert rate.loc["total", "population"] == round(405.5 + 415.5)
    assert rate.loc["total", "share_pct"] == pytest.approx(100 * 621 / 821)
