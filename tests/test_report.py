"""The cohort report (index.html + summary.csv) built from a real-pipeline cohort.

The fixture runs the real review pipeline on copies of the samples plus one hostile applicant (a folder
named like an HTML attribute break-out, a draft quoting a ``<script>``, a broken DOCX whose error message
carries markup), then writes the ``reviewer.cohort/1`` index the batch runner would write. The tests
compare the page and the CSV with the JSON files, check escaping and that nothing external is
referenced, and load the page in headless Chromium when it is installed.
"""

from __future__ import annotations

import csv
import fcntl
import itertools
import json
import os
import random
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from reviewer.errors import InputError
from reviewer.pipeline import review_folder, write_folder
from reviewer.render.html import CSV_HEADER, render_cohort_html, segments, write_cohort_report
from reviewer.render.report import collect_cohort, href, safe_relative
from reviewer.settings import Settings

from conftest import SAMPLES

HOSTILE_ID = '"><img src=x onerror=alert(1)>'
HOSTILE_PS = "personal_statement<svg onload=alert(2)>.txt"
HOSTILE_DOCX = "additional_info<img src=y onerror=alert(3)>.docx"
HOSTILE_TEXT = (
    'I failed USMLE Step 1 on my first attempt in 2021. The exam was very unfair to me <script>alert("quote")'
    "</script> because most of the questions were about topics that were never taught in my school. I was "
    "heartbroken and ashamed, and I know I disappointed my family.\n\nSince then I have worked as a research "
    "assistant in internal medicine and I want to join Kaiser Permanente.\n"
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (/usr/bin/chromium)")


# --- building a cohort the way the batch runner does ----------------------------------------------------


def _document_entries(out: Path, app_id: str, app: dict, round_no: int) -> list[dict]:
    docs = []
    for d in app["documents"]:
        stem = d["review"].removesuffix(".review.json")
        docs.append({
            "name": Path(d["path"]).name, "kind": d["kind"], "round": round_no, "status": "reviewed",
            "review_json": f"{app_id}/{d['review']}", "review_docx": f"{app_id}/{stem}.review.docx",
            "review_md": f"{app_id}/{stem}.review.md", "error": None, "resolved": 0, "persisting": 0, "new": 0,
        })
    for f in app["failures"]:
        docs.append({"name": Path(f["path"]).name, "kind": None, "round": None, "status": "failed",
                     "review_json": None, "review_docx": None, "review_md": None, "error": f["error"],
                     "resolved": 0, "persisting": 0, "new": 0})
    return docs


def cohort_entry(out: Path, app_id: str, round_no: int = 1) -> dict:
    app = json.loads((out / app_id / "application.review.json").read_text(encoding="utf-8"))
    return {
        "applicant": app["applicant"], "id": app_id, "output": f"{app_id}/",
        "application_review": f"{app_id}/application.review.json",
        "documents": _document_entries(out, app_id, app, round_no),
        "failures": [{"document": Path(f["path"]).name, "error": f["error"]} for f in app["failures"]],
    }


def write_index(out: Path, entries: list[dict]) -> None:
    index = {"schema": "reviewer.cohort/1", "generated_at": "2026-11-25T12:00:00+00:00", "applicants": entries,
             "totals": {"applicants": len(entries)}}
    (out / "cohort.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")


def _second_round(out: Path, entry: dict) -> None:
    """Make ``entry`` look like a second round: one revised document with a verdict change, one unchanged."""
    first, second = entry["documents"][0], entry["documents"][1]
    first.update(round=2, resolved=3, persisting=2, new=1)
    second.update(round=1, status="unchanged")
    review_path = out / first["review_json"]
    review = json.loads(review_path.read_text(encoding="utf-8"))
    review["revision"] = {"round": 2, "previous_round": 1, "previous_sha256": "0" * 64, "findings": [],
                          "verdicts": [{"id": review["criteria"][0]["id"], "before": "fail", "after": "pass"}]}
    review_path.write_text(json.dumps(review), encoding="utf-8")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory, rubrics) -> Path:
    src = tmp_path_factory.mktemp("cohort")
    out = tmp_path_factory.mktemp("feedback")
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        shutil.copytree(folder, src / folder.name)
    hostile = src / HOSTILE_ID
    hostile.mkdir()
    (hostile / HOSTILE_PS).write_text(HOSTILE_TEXT, encoding="utf-8")
    (hostile / HOSTILE_DOCX).write_bytes(b"not a zip file")
    settings = Settings()
    ids = sorted(p.name for p in src.iterdir())
    for app_id in ids:
        write_folder(review_folder(src / app_id, rubrics, settings), out / app_id, ["json", "md", "docx"])
    entries = [cohort_entry(out, app_id) for app_id in ids]
    _second_round(out, next(e for e in entries if e["id"] == "rahul-mehta"))
    write_index(out, entries)
    write_cohort_report(out)
    return out


# --- reading the page -----------------------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of the page the tests look at: every start tag, and the applicants table's rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: dict[str, list[str]] = {}
        self.row_links: dict[str, list[str]] = {}
        self._table = 0
        self._row: str | None = None
        self._cell: list[str] | None = None
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("id") == "applicants":
            self._table = 1
        elif tag == "tr" and self._table and "data-id" in a:
            self._row = a["data-id"] or ""
            self.rows[self._row] = []
            self.row_links[self._row] = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row is not None:
            self.row_links[self._row].append(a.get("href") or "")
        elif tag == "script":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = 0
        elif tag == "tr":
            self._row = None
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self.rows[self._row].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_script:
            self.script_text += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


COLUMNS = ["name", "round", "documents", "fails", "warns", "failures", "resolved", "persisting", "new", "feedback",
           "programs"]


def table(out: Path) -> dict[str, dict[str, str]]:
    return {k: dict(zip(COLUMNS, cells, strict=True)) for k, cells in parse(out / "index.html").rows.items()}


def expected_counts(out: Path, entry: dict) -> dict[str, int]:
    fails = warns = 0
    files = [d["review_json"] for d in entry["documents"] if d["review_json"]] + [entry["application_review"]]
    for rel in files:
        for c in json.loads((out / rel).read_text(encoding="utf-8"))["criteria"]:
            fails += c["verdict"] == "fail"
            warns += c["verdict"] == "warn"
    failed = {d["name"] for d in entry["documents"] if d["status"] == "failed"} | {
        f["document"] for f in entry["failures"]}
    return {"documents": len(entry["documents"]), "fails": fails, "warns": warns, "failures": len(failed),
            "resolved": sum(d["resolved"] for d in entry["documents"]),
            "persisting": sum(d["persisting"] for d in entry["documents"]),
            "new": sum(d["new"] for d in entry["documents"])}


def entries(out: Path) -> list[dict]:
    return json.loads((out / "cohort.json").read_text(encoding="utf-8"))["applicants"]


# --- the page's content ----------------------------------------------------------------------------------


def test_table_counts_match_the_json(cohort: Path) -> None:
    rows = table(cohort)
    assert set(rows) == {e["id"] for e in entries(cohort)} and len(rows) == 5
    for entry in entries(cohort):
        row = rows[entry["id"]]
        assert row["name"].startswith(entry["applicant"])
        got = {k: int(row[k].split()[0]) for k in ("documents", "fails", "warns", "failures", "resolved",
                                                     "persisting", "new")}
        assert got == expected_counts(cohort, entry), entry["id"]
    assert rows["rahul-mehta"]["round"] == "2"
    assert int(rows["rahul-mehta"]["fails"]) > 0 and int(rows[HOSTILE_ID]["failures"].split()[0]) == 1


def test_rows_follow_names_then_ids(cohort: Path) -> None:
    keys = list(parse(cohort / "index.html").rows)
    names = {e["id"]: e["applicant"] for e in entries(cohort)}
    assert keys == sorted(keys, key=lambda k: (names[k].casefold(), k))
    assert keys.index("lucia-fernandez") < keys.index("lucia-fernandez-general")


def test_links_resolve_to_the_feedback_files(cohort: Path) -> None:
    page = parse(cohort / "index.html")
    for entry in entries(cohort):
        links = page.row_links[entry["id"]]
        wanted = [d[k] for d in entry["documents"] for k in ("review_docx", "review_md") if d[k]]
        wanted.append(entry["application_review"].removesuffix(".json") + ".md")
        assert sorted(unquote(h) for h in links) == sorted(wanted), entry["id"]
        for h in links:
            assert "://" not in h and not h.startswith(("/", "#"))
            assert (cohort / unquote(h)).is_file(), h
    assert any(h.endswith(".review.docx") for h in page.row_links[HOSTILE_ID])


def test_criteria_charts_and_problems_come_from_the_reviews(cohort: Path) -> None:
    html = (cohort / "index.html").read_text(encoding="utf-8")
    report = collect_cohort(cohort)
    excuse = report.criteria["score.excuse"]
    assert excuse.counts["fail"] >= 2  # Rahul and the hostile draft
    assert f"{excuse.counts['fail']} fail" in html
    for rubric in ("application", "experience", "integrity", "kaiser", "score"):
        assert f'<figcaption id="chart-{rubric}">' in html
    top = report.top_problems()
    assert top and all(a.problems >= b.problems for a, b in itertools.pairwise(top))
    examples = top[0].chosen_examples()
    assert 1 <= len(examples) <= 3 and len({e.applicant for e in examples[:2]}) == min(2, len(examples))
    assert "I was heartbroken and ashamed" in html  # an example quote for score.emotion
    assert sum(c.improved for c in report.criteria.values()) == 1  # the fail -> pass added to Rahul's review
    assert "Criteria whose verdict changed" in html and "3 resolved" in html


def test_csv_has_one_row_per_applicant_document_criterion(cohort: Path) -> None:
    with (cohort / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_HEADER
    expected = 0
    for entry in entries(cohort):
        for d in entry["documents"]:
            if d["review_json"]:
                review = json.loads((cohort / d["review_json"]).read_text(encoding="utf-8"))
                expected += len(review["criteria"])
                mine = {r["criterion"]: r for r in rows
                        if r["applicant_id"] == entry["id"] and r["document"] == d["name"]}
                assert set(mine) == {c["id"] for c in review["criteria"]}
                for c in review["criteria"]:
                    n = sum(f["criterion"] == c["id"] for f in review["findings"])
                    assert (mine[c["id"]]["verdict"], int(mine[c["id"]]["findings"])) == (c["verdict"], n)
                    assert mine[c["id"]]["kind"] == d["kind"] and mine[c["id"]]["round"] == str(d["round"])
        app = json.loads((cohort / entry["application_review"]).read_text(encoding="utf-8"))
        expected += len(app["criteria"])
        app_rows = [r for r in rows if r["applicant_id"] == entry["id"] and r["document"] == "(application)"]
        assert sorted(r["criterion"] for r in app_rows) == sorted(c["id"] for c in app["criteria"])
    assert len(rows) == expected
    assert {r["applicant"] for r in rows} >= {"Amara Okafor", "Rahul Mehta", HOSTILE_ID}


# --- safety -------------------------------------------------------------------------------------------------


def test_document_text_is_escaped(cohort: Path) -> None:
    html = (cohort / "index.html").read_text(encoding="utf-8")
    page = parse(cohort / "index.html")
    tags = [t for t, _ in page.tags]
    assert "img" not in tags and tags.count("script") == 1 and "alert" not in page.script_text
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]
    assert "&lt;script&gt;alert(" in html  # the quote is shown, as text
    assert "&lt;img src=y onerror=alert(3)&gt;" in html  # the error message names the broken file
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # the applicant's name
    assert "<svg onload" not in html and "&lt;svg onload=alert(2)&gt;" in html  # the file name


def test_nothing_external_is_referenced(cohort: Path) -> None:
    page = parse(cohort / "index.html")
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        for key in ("href", "xlink:href", "action", "poster", "data"):
            value = attrs.get(key)
            if value is not None:
                assert "://" not in value and not value.startswith(("//", "javascript:", "data:")), (tag, value)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none';")
    templates = Path(__file__).resolve().parents[1] / "src" / "reviewer" / "templates"
    for asset in templates.iterdir():
        text = asset.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "@import" not in text and "url(" not in text


def test_paths_outside_the_output_folder_are_neither_read_nor_linked(tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text('{"criteria": [{"id": "x.y", "verdict": "fail"}]}', encoding="utf-8")
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    doc = {"name": "ps.txt", "kind": "personal_statement", "round": 1, "status": "reviewed",
           "review_json": "../secret.json", "review_docx": "javascript:alert(1)", "review_md": "/etc/passwd",
           "error": None, "resolved": 0, "persisting": 0, "new": 0}
    write_index(out, [{"applicant": "A", "id": "a", "output": "a/", "application_review": None,
                       "documents": [doc], "failures": []}])
    write_cohort_report(out)
    rows = table(out)
    assert rows["a"]["fails"] == "0" and rows["a"]["failures"].startswith("1")
    assert parse(out / "index.html").row_links["a"] == []
    assert "not inside the output folder" in (out / "index.html").read_text(encoding="utf-8")
    assert safe_relative("a/../../b") is None and safe_relative("/abs") is None and safe_relative("") is None
    assert href(safe_relative("x y/a#b?.md")) == "x%20y/a%23b%3F.md"  # type: ignore[arg-type]


def test_spreadsheet_formulas_in_names_stay_text(tmp_path: Path) -> None:
    out = tmp_path
    (out / "x").mkdir()
    review = {"schema": "reviewer.review/1", "criteria": [{"id": "score.excuse", "verdict": "fail"}], "findings": []}
    (out / "x" / "d.review.json").write_text(json.dumps(review), encoding="utf-8")
    doc = {"name": "=HYPERLINK(\"x\").txt", "kind": "personal_statement", "round": 1, "status": "reviewed",
           "review_json": "x/d.review.json", "review_docx": None, "review_md": None, "error": None,
           "resolved": 0, "persisting": 0, "new": 0}
    write_index(out, [{"applicant": "+cmd", "id": "x", "output": "x/", "application_review": None,
                       "documents": [doc], "failures": []}])
    write_cohort_report(out)
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["applicant"] == "'+cmd" and row["document"].startswith("'=HYPERLINK")
    assert (row["criterion"], row["verdict"], row["findings"]) == ("score.excuse", "fail", "0")


@pytest.mark.parametrize("name, safe", [
    ("Anna;=1+1;", "Anna;'=1+1;"), ("Anna,+SUM(A1)", "Anna,'+SUM(A1)"), ("Anna|@x", "Anna|'@x"),
    ("Anna\t-1", "Anna\t'-1"), ("Anna; =1", "Anna; '=1"), ("Anna\n=1", "Anna\n'=1"),
    ("Mary-Jane Okafor", "Mary-Jane Okafor"),
])
def test_formulas_after_any_separator_stay_text(tmp_path: Path, name: str, safe: str) -> None:
    """Where ``;`` (or tab, or ``|``) is the separator, 'Anna;=1+1;' is two cells: the second must not be a formula."""
    out = tmp_path
    (out / "x").mkdir()
    review = {"schema": "reviewer.review/1", "criteria": [{"id": "score.excuse", "verdict": "fail"}], "findings": []}
    (out / "x" / "d.review.json").write_text(json.dumps(review), encoding="utf-8")
    doc = {"name": f"{name}.txt", "kind": "personal_statement", "round": 1, "status": "reviewed",
           "review_json": "x/d.review.json", "review_docx": None, "review_md": None, "error": None,
           "resolved": 0, "persisting": 0, "new": 0}
    write_index(out, [{"applicant": name, "id": "x", "output": "x/", "application_review": None,
                       "documents": [doc], "failures": []}])
    write_cohort_report(out)
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["document"] == f"{safe}.txt"  # (the applicant's name has its whitespace folded first)
    for field in ("applicant", "document"):
        for separator in ",;\t|\n":
            for cell in row[field].split(separator):
                assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), (field, separator, cell)


def test_a_huge_name_in_cohort_json_is_shortened_on_the_page_and_in_the_csv(tmp_path: Path) -> None:
    out = tmp_path
    (out / "x").mkdir()
    review = {"schema": "reviewer.review/1", "criteria": [{"id": "score.excuse", "verdict": "fail"}],
              "findings": [{"criterion": "score.excuse", "quote": "It was not my fault.", "verdict": "fail"}]}
    (out / "x" / "d.review.json").write_text(json.dumps(review), encoding="utf-8")
    doc = {"name": "ps.txt", "kind": "personal_statement", "round": 1, "status": "reviewed",
           "review_json": "x/d.review.json", "review_docx": None, "review_md": None, "error": None,
           "resolved": 0, "persisting": 0, "new": 0}
    write_index(out, [{"applicant": "Anna " + "y" * 1_000_000, "id": "x", "output": "x/",
                       "application_review": None, "documents": [doc], "failures": []}])
    write_cohort_report(out)
    assert (out / "summary.csv").stat().st_size < 2_000
    assert (out / "index.html").stat().st_size < 100_000
    assert "Anna " + "y" * 114 + "…" in (out / "index.html").read_text(encoding="utf-8")


# --- robustness, determinism, speed ---------------------------------------------------------------------------


def test_missing_or_foreign_index_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no cohort index"):
        write_cohort_report(tmp_path)
    (tmp_path / "cohort.json").write_text('{"schema": "something/9"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"reviewer\.cohort/1"):
        write_cohort_report(tmp_path)
    assert not (tmp_path / "index.html").exists() and not (tmp_path / "summary.csv").exists()


def test_missing_review_file_is_reported_not_fatal(cohort: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(cohort / "amara-okafor", out / "amara-okafor")
    entry = cohort_entry(out, "amara-okafor")
    (out / entry["documents"][0]["review_json"]).unlink()
    write_index(out, [entry])
    write_cohort_report(out)
    row = table(out)["amara-okafor"]
    assert row["failures"].startswith("1") and "is missing" in row["failures"]


def test_report_is_deterministic_and_independent_of_index_order(cohort: Path, tmp_path: Path) -> None:
    before = (cohort / "index.html").read_bytes(), (cohort / "summary.csv").read_bytes()
    shuffled = tmp_path / "feedback"
    shutil.copytree(cohort, shuffled)
    index = json.loads((shuffled / "cohort.json").read_text(encoding="utf-8"))
    random.Random(7).shuffle(index["applicants"])
    (shuffled / "cohort.json").write_text(json.dumps(index), encoding="utf-8")
    write_cohort_report(shuffled)
    assert ((shuffled / "index.html").read_bytes(), (shuffled / "summary.csv").read_bytes()) == before


def test_three_hundred_applicants_render(cohort: Path, tmp_path: Path) -> None:
    base = [e for e in entries(cohort) if e["id"] != HOSTILE_ID]
    many = []
    for i in range(300):
        e = json.loads(json.dumps(base[i % len(base)]))
        e["applicant"] = f"{e['applicant']} {i:03d}"
        many.append(e)
    out = tmp_path
    for e in base:
        (out / e["id"]).mkdir()
        for f in (cohort / e["id"]).iterdir():
            (out / e["id"] / f.name).symlink_to(f)
    write_index(out, many)
    write_cohort_report(out)
    assert (out / "index.html").read_text(encoding="utf-8").count("<tr data-i=") == 300


def test_segments_fill_the_bar() -> None:
    segs = segments([("pass", "pass", 3), ("warn", "warn", 0), ("fail", "fail", 1)], 10, 200)
    assert [s.key for s in segs] == ["pass", "fail"]
    assert segs[0].x == 10 and abs(segs[-1].x + segs[-1].width - 210) < 0.05
    assert segments([("pass", "pass", 0)], 0, 100) == ()


def test_empty_cohort_renders() -> None:
    from reviewer.render.report import CohortReport

    html = render_cohort_html(CohortReport(generated_at=""))
    assert 'id="applicants"' in html and "No criterion was judged fail or warn." in html


# --- a real browser -------------------------------------------------------------------------------------------


def chromium_dump(url: str, profile: Path) -> tuple[str, str]:
    cmd = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
           "--dump-dom", url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@needs_chromium
def test_page_in_headless_chromium(cohort: Path, tmp_path: Path) -> None:
    url = (cohort / "index.html").resolve().as_uri()
    dom, stderr = chromium_dump(url, tmp_path / "profile")
    assert console_lines(stderr) == []
    assert 'data-ready="1"' in dom and '<table id="applicants"' in dom
    assert dom.count("<tr data-i=") == 5
    assert "<img" not in dom and "onerror=alert(1)" in dom  # the name is there, as text only

    dom, stderr = chromium_dump(url + "#sort=fails-desc", tmp_path / "profile2")
    assert console_lines(stderr) == []
    assert 'data-ready="1"' in dom and 'data-sorted="fails-desc"' in dom
    page = Page()
    page.feed(dom)
    fails = [int(dict(zip(COLUMNS, cells, strict=True))["fails"]) for cells in page.rows.values()]
    assert fails == sorted(fails, reverse=True) and fails[0] > fails[-1]
    assert next(iter(page.rows)) == "rahul-mehta"


@pytest.mark.parametrize("text", [
    ' \n{"applicants": [ {"id": "b", "applicant": "Bea"} , {"id": "a", "applicant": "al"}\n],'
    ' "totals": {"applicants": [1, 2]}, "schema": "reviewer.cohort/1", "generated_at": "t"} \n',
    '{"schema":"reviewer.cohort/1","generated_at":"t","totals":{},"applicants":[{"id":"a","applicant":"al"},'
    '{"id":"b","applicant":"Bea"}]}',
])
def test_index_is_read_in_name_order_whatever_its_layout(tmp_path: Path, text: str) -> None:
    from reviewer.render.report import load_cohort_index

    (tmp_path / "cohort.json").write_text(text, encoding="utf-8")
    index = load_cohort_index(tmp_path)
    assert [e["id"] for e in index.entries()] == ["a", "b"] and len(index) == 2
    assert index.meta["generated_at"] == "t" and "applicants" not in index.meta


@pytest.mark.parametrize("text", [
    '{"schema": "reviewer.cohort/1", "applicants": []} trailing',
    '{"schema": "reviewer.cohort/1", "applicants": [{"id": "a"}',
    '{"schema": "reviewer.cohort/1", "applicants": {"id": "a"}}',
    '{"schema": "reviewer.cohort/1"}',
    '[]',
])
def test_malformed_index_is_an_input_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "cohort.json").write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        write_cohort_report(tmp_path)


def test_empty_applicants_list_renders(tmp_path: Path) -> None:
    write_index(tmp_path, [])
    write_cohort_report(tmp_path)
    assert "showing <span id=\"shown\">0</span> of 0" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "summary.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(CSV_HEADER)]


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out)."""

    def __init__(self, profile: Path, timeout: float = 60) -> None:
        cmd_r, self.out = os.pipe()
        self.inp, res_w = os.pipe()
        # Park the child's ends above 10 so that moving them to 3 and 4 cannot clobber each other.
        child_r, child_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(res_w)

        def to_3_and_4() -> None:
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self.proc = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=to_3_and_4, close_fds=False)
        os.close(child_r)
        os.close(child_w)
        self.buf = b""
        self.last_id = 0
        self.events: list[dict] = []
        self.deadline = time.monotonic() + timeout
        self.session: str | None = None

    def _message(self) -> dict:
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            assert left > 0, "chromium did not answer in time"
            if select.select([self.inp], [], [], left)[0]:
                chunk = os.read(self.inp, 65536)
                assert chunk, "chromium closed the pipe"
                self.buf += chunk
        raw, _, self.buf = self.buf.partition(b"\0")
        return json.loads(raw)

    def send(self, method: str, **params: object) -> dict:
        self.last_id += 1
        msg: dict = {"id": self.last_id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._message()
            if m.get("id") == self.last_id:
                assert "error" not in m, m["error"]
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method: str) -> dict:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message())
        return next(e for e in self.events if e.get("method") == method)

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> object:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def errors(self) -> list[dict]:
        """Uncaught exceptions, console errors and warnings, and browser log errors (CSP, blocked loads)."""
        return [e for e in self.events
                if e.get("method") == "Runtime.exceptionThrown"
                or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
                or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))]

    def close(self) -> None:
        try:
            os.write(self.out, json.dumps({"id": 0, "method": "Browser.close", "params": {}}).encode() + b"\0")
            self.proc.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self.out)
            os.close(self.inp)


FAILS_COLUMN = "Array.from(document.querySelectorAll('#applicants tbody tr')).map(r => Number(r.cells[3].textContent))"


@needs_chromium
def test_sorting_and_filtering_in_headless_chromium(cohort: Path, tmp_path: Path) -> None:
    browser = DevTools(tmp_path / "profile")
    try:
        browser.open((cohort / "index.html").resolve().as_uri())
        assert browser.js("document.body.dataset.ready") == "1"
        browser.js("document.querySelector('th[data-key=fails] button').click()")
        fails = browser.js(FAILS_COLUMN)
        assert isinstance(fails, list) and fails == sorted(fails, reverse=True) and fails[0] > fails[-1]
        assert browser.js("document.querySelector('th[data-key=fails]').getAttribute('aria-sort')") == "descending"
        browser.js("document.querySelector('th[data-key=fails] button').click()")
        assert browser.js(FAILS_COLUMN) == sorted(fails)
        browser.js("document.querySelector('th[data-key=name] button').click()")
        names = browser.js("Array.from(document.querySelectorAll('#applicants tbody tr')).map(r => r.dataset.id)")
        assert isinstance(names, list) and names[0] == HOSTILE_ID and names[-1] == "rahul-mehta"
        browser.js("const f = document.getElementById('filter'); f.value = 'lucia';"
                   " f.dispatchEvent(new Event('input'))")
        visible = browser.js("Array.from(document.querySelectorAll('#applicants tbody tr'))"
                             ".filter(r => !r.hidden).map(r => r.dataset.id)")
        assert visible == ["lucia-fernandez", "lucia-fernandez-general"]
        assert browser.js("document.getElementById('shown').textContent") == "2"
        assert browser.js("document.querySelectorAll('img').length") == 0
        assert browser.errors() == []
    finally:
        browser.close()


def test_documents_without_json_output_are_counted_not_failed(tmp_path: Path) -> None:
    doc = {"name": "ps.txt", "kind": "personal_statement", "round": 1, "status": "reviewed", "review_json": None,
           "review_docx": None, "review_md": None, "error": None, "resolved": 0, "persisting": 0, "new": 0}
    write_index(tmp_path, [{"applicant": "A", "id": "a", "output": "a/", "application_review": None,
                            "documents": [doc], "failures": []}])
    write_cohort_report(tmp_path)
    assert table(tmp_path)["a"]["failures"] == "0"
    assert "1 reviewed documents have no JSON review" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_documents_judged_by_rules_after_a_model_failure_are_flagged(tmp_path: Path) -> None:
    def doc(name: str, fallbacks: int, status: str = "reviewed") -> dict:
        return {"name": name, "kind": "personal_statement", "round": 1, "status": status, "review_json": None,
                "review_docx": None, "review_md": None, "error": "bad" if status == "failed" else None,
                "resolved": 0, "persisting": 0, "new": 0, "fallbacks": fallbacks}

    write_index(tmp_path, [{"applicant": "A", "id": "a", "output": "a/", "application_review": None,
                            "documents": [doc("ps.txt", 2), doc("interview.txt", 0), doc("x.txt", 3, "failed")],
                            "failures": []}])
    write_cohort_report(tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "1 documents have rubrics the model did not judge" in page and "--retry-fallbacks" in page
    assert page.count("by rules only") == 1 and "2 by rules only" in page
    write_index(tmp_path, [{"applicant": "A", "id": "a", "output": "a/", "application_review": None,
                            "documents": [doc("ps.txt", 0)], "failures": []}])
    write_cohort_report(tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "did not judge" not in page and "by rules only" not in page
