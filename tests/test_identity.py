"""Applicant identity: ids that two folders never share, whatever order they arrive in, and revision rounds
that never compare one applicant's draft with another's history."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import docx
import pytest

from reviewer.cohort import COHORT_JSON, Status, plan_batch, run_batch
from reviewer.cohort.identity import RESERVED, assign_ids, candidates, folder_key, is_plain
from reviewer.cohort.plan import NEW_HISTORY_NOTE
from reviewer.errors import InputError
from reviewer.settings import Settings
from reviewer.store import DB_NAME, Store

PS_A = """I am applying to Kaiser Permanente internal medicine because of its integrated care model.

I failed Step 1 on my first attempt. It was not my fault, the exam was unfair to international students. \
I changed my approach with timed question blocks and passed on my second attempt, then scored 241 on Step 2 CK.
"""
PS_B = """I want to train at Kaiser Permanente because its teams follow patients across the whole system.

I failed Step 1 once. The proctor was rude and the room was cold, so it was not a fair test. \
I rebuilt my study plan around daily question blocks and scored 238 on Step 2 CK.
"""
SETTINGS = Settings(formats=("json", "md", "docx"))


def _applicant(cohort: Path, folder: str, text: str, name: str | None = None) -> Path:
    path = cohort / folder
    path.mkdir(parents=True)
    (path / "personal_statement.txt").write_text(text)
    if name is not None:
        (path / "application.yaml").write_text(f"applicant: {name}\n")
    return path


def _ids(out: Path) -> dict[str, str]:
    """folder -> id, as the store records them."""
    conn = sqlite3.connect(out / DB_NAME)
    try:
        return {folder: ident for ident, folder in conn.execute("SELECT id, folder FROM applicants")}
    finally:
        conn.close()


def _rounds(out: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(out / DB_NAME)
    try:
        return conn.execute("SELECT applicant, round FROM rounds ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------- assign_ids


def test_plain_names_keep_themselves_and_others_get_a_hash_of_their_exact_name() -> None:
    folders = [Path("cohort") / n for n in ("amara-okafor", "Maria Garcia", "Maria_Garcia", "maría.lópez")]
    ids = assign_ids(folders, {})
    assert ids[folders[0]] == "amara-okafor" and ids[folders[2]] == "Maria_Garcia"
    assert ids[folders[3]] == "maría.lópez"  # letters of every script are safe
    assert ids[folders[1]].startswith("Maria_Garcia+") and len(ids[folders[1]]) == len("Maria_Garcia+") + 8
    assert len(set(ids.values())) == len(folders)
    assert not is_plain("Maria Garcia") and not is_plain("reviewer.sqlite") and not is_plain("x" * 101)
    assert "cohort.json" in RESERVED and assign_ids([Path("index.html")], {})[Path("index.html")] != "index.html"


@pytest.mark.parametrize("names", [
    ("Maria_Garcia", "Maria Garcia", "Maria/Garcia".replace("/", ":"), "Maria?Garcia"),
    ("ana", "Ana", "ANA", "a na"),
])
def test_ids_do_not_depend_on_order_within_a_run_or_across_runs(names: tuple[str, ...]) -> None:
    """Every order of arrival, all at once or one per run, gives every folder the same id."""
    folders = [Path(n) for n in names]
    at_once = {f.name: i for f, i in assign_ids(folders, {}).items()}
    assert len(set(at_once.values())) == len(folders)
    assert len({i.casefold() for i in at_once.values()}) == len(folders), "ids that differ only by case"
    for order in itertools.permutations(folders):
        assert {f.name: i for f, i in assign_ids(list(order), {}).items()} == at_once
        known: dict[str, str | None] = {}
        for f in order:  # one new folder per run, the earlier ones already in the store
            ids = assign_ids([*(Path(k) for k in known.values() if k), f], known)
            known.update({i: folder_key(g) for g, i in ids.items()})
        if names[0] != "ana":  # a case clash is settled by who came first (an existing id never changes)
            assert {k: v for v, k in known.items()} == at_once


def test_an_existing_applicant_keeps_its_id_and_no_id_is_reused() -> None:
    known: dict[str, str | None] = {"Maria_Garcia": "Maria Garcia"}  # recorded before the plain rule
    ids = assign_ids([Path("Maria_Garcia"), Path("Maria Garcia")], known)
    assert ids[Path("Maria Garcia")] == "Maria_Garcia"
    assert ids[Path("Maria_Garcia")] != "Maria_Garcia" and ids[Path("Maria_Garcia")].startswith("Maria_Garcia+")
    # an id of an applicant whose folder is gone is never handed to a newcomer
    assert assign_ids([Path("Maria_Garcia")], known)[Path("Maria_Garcia")] != "Maria_Garcia"


def test_a_deliberate_hash_clash_still_gets_a_distinct_id() -> None:
    taken = {c: "someone else" for c in candidates("Maria Garcia")}
    ident = assign_ids([Path("Maria Garcia")], taken)[Path("Maria Garcia")]
    assert ident not in taken and ident.startswith("Maria_Garcia+")


def test_schema_1_ids_are_claimed_only_where_the_old_naming_was_unambiguous() -> None:
    legacy: dict[str, str | None] = {"Maria_Garcia": None, "ana": None}
    alone = assign_ids([Path("Maria Garcia"), Path("ana")], legacy)
    assert alone == {Path("Maria Garcia"): "Maria_Garcia", Path("ana"): "ana"}
    both = assign_ids([Path("Maria Garcia"), Path("Maria_Garcia")], legacy)
    assert "Maria_Garcia" not in both.values(), "an ambiguous old id was handed to one of two folders"


def test_undecodable_folder_names_get_a_key_and_an_id() -> None:
    name = b"Jos\xe9".decode("utf-8", "surrogateescape")
    assert folder_key(name) == "/" + b"Jos\xe9".hex()
    ident = assign_ids([Path(name)], {})[Path(name)]
    assert ident.startswith("Jos+") and ident.encode("utf-8")


# --------------------------------------------------------------------------------------------- end to end


def _maria_batches(tmp_path: Path, first: list[str], then: list[str]) -> tuple[Path, dict[str, str]]:
    texts = {"Maria_Garcia": (PS_A, "Maria Garcia"), "Maria Garcia": (PS_B, "Maria Garcia")}
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    for folder in first:
        _applicant(cohort, folder, *texts[folder])
    if first:
        assert run_batch(cohort, out, SETTINGS, jobs=1).ok
    for folder in then:
        _applicant(cohort, folder, *texts[folder])
    result = run_batch(cohort, out, SETTINGS, jobs=1)
    assert result.ok
    return out, _ids(out)


@pytest.mark.parametrize("first, then", [(["Maria_Garcia"], ["Maria Garcia"]), (["Maria Garcia"], ["Maria_Garcia"]),
                                         ([], ["Maria_Garcia", "Maria Garcia"])])
def test_a_newcomer_never_inherits_another_applicants_rounds(tmp_path: Path, first: list[str],
                                                             then: list[str]) -> None:
    out, ids = _maria_batches(tmp_path, first, then)
    plain, spaced = ids["Maria_Garcia"], ids["Maria Garcia"]
    assert plain == "Maria_Garcia" and spaced.startswith("Maria_Garcia+") and plain != spaced
    assert sorted(_rounds(out)) == sorted([(plain, 1), (spaced, 1)]), "someone's first draft became a round 2"
    for ident in (plain, spaced):
        review = json.loads((out / ident / "personal_statement.review.json").read_text())
        assert "revision" not in review
        assert "## Since your last draft" not in (out / ident / "personal_statement.review.md").read_text()
        paragraphs = [p.text for p in docx.Document(str(out / ident / "personal_statement.review.docx")).paragraphs]
        assert "Since your last draft" not in paragraphs
    spaced_md = (out / spaced / "personal_statement.review.md").read_text()
    assert "exam was unfair to international students" not in spaced_md  # the other student's sentence
    data = json.loads((out / COHORT_JSON).read_text())
    assert {a["id"] for a in data["applicants"]} == {plain, spaced}


def test_ids_of_the_maria_case_are_the_same_whatever_came_first(tmp_path: Path) -> None:
    seen = [_maria_batches(tmp_path / str(n), first, then)[1] for n, (first, then) in
            enumerate([(["Maria_Garcia"], ["Maria Garcia"]), (["Maria Garcia"], ["Maria_Garcia"]),
                       ([], ["Maria Garcia", "Maria_Garcia"])])]
    assert seen[0] == seen[1] == seen[2]


def test_an_old_store_with_a_sanitised_id_is_not_handed_to_a_newcomer(tmp_path: Path) -> None:
    """A schema-1 store gave "Maria Garcia" the id Maria_Garcia; a student in a new folder "Maria_Garcia"
    must not take that history over."""
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    _applicant(cohort, "Maria Garcia", PS_A, "Maria Garcia")
    run_batch(cohort, out, SETTINGS, jobs=1)
    conn = sqlite3.connect(out / DB_NAME)  # as reviewer left it before folders were recorded
    conn.execute("UPDATE applicants SET folder = NULL")
    old = next(iter(conn.execute("SELECT id FROM applicants")))[0]
    conn.execute("UPDATE rounds SET applicant = 'Maria_Garcia'")
    conn.execute("UPDATE applicants SET id = 'Maria_Garcia'")
    conn.execute("DROP INDEX applicants_by_folder")
    conn.execute("ALTER TABLE applicants DROP COLUMN folder")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert old != "Maria_Garcia"
    _applicant(cohort, "Maria_Garcia", PS_B, "Maria García")
    assert run_batch(cohort, out, SETTINGS, jobs=1).ok
    ids = _ids(out)
    # Which folder the old id was given to can no longer be told apart: neither takes it, its rounds stay.
    assert ids[None] == "Maria_Garcia" and "Maria_Garcia" not in (ids["Maria Garcia"], ids["Maria_Garcia"])
    newcomer = ids["Maria_Garcia"]
    assert (newcomer, 1) in _rounds(out) and (newcomer, 2) not in _rounds(out)
    assert ("Maria_Garcia", 1) in _rounds(out)


def test_a_folder_whose_applicant_changed_starts_a_new_history_with_a_note(tmp_path: Path) -> None:
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    folder = _applicant(cohort, "student-01", PS_A, "Maria Garcia")
    run_batch(cohort, out, SETTINGS, jobs=1)
    # Next year the folder holds another student's draft.
    (folder / "application.yaml").write_text("applicant: Wei Chen\n")
    (folder / "personal_statement.txt").write_text(PS_B)
    result = run_batch(cohort, out, SETTINGS, jobs=1)
    assert result.ok and result.total(Status.REVIEWED) == 1
    review = json.loads((out / "student-01" / "personal_statement.review.json").read_text())
    assert "revision" not in review and NEW_HISTORY_NOTE in review["notes"]
    md = (out / "student-01" / "personal_statement.review.md").read_text()
    assert "Since your last draft" not in md and NEW_HISTORY_NOTE in md and "Maria" not in md
    texts = "\n".join(p.text for p in docx.Document(str(out / "student-01" / "personal_statement.review.docx"))
                      .paragraphs)
    assert "Since your last draft" not in texts and NEW_HISTORY_NOTE in texts
    with Store.open(out, create=False) as store:
        assert store.applicant("student-01") == ("Wei Chen", "student-01")
    # The same student revising: compared again.
    (folder / "personal_statement.txt").write_text(PS_B.replace("The proctor was rude and the room was cold, so it "
                                                                "was not a fair test. ", ""))
    run_batch(cohort, out, SETTINGS, jobs=1)
    review = json.loads((out / "student-01" / "personal_statement.review.json").read_text())
    assert review["revision"]["previous_round"] == 2 and NEW_HISTORY_NOTE not in review["notes"]


def test_case_and_spacing_of_the_name_do_not_start_a_new_history(tmp_path: Path) -> None:
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    folder = _applicant(cohort, "student-01", PS_A, "Maria Garcia")
    run_batch(cohort, out, SETTINGS, jobs=1)
    (folder / "application.yaml").write_text("applicant: '  maria   GARCIA '\n")
    (folder / "personal_statement.txt").write_text(PS_A.replace("It was not my fault, the exam was unfair to "
                                                                "international students. ", ""))
    run_batch(cohort, out, SETTINGS, jobs=1)
    review = json.loads((out / "student-01" / "personal_statement.review.json").read_text())
    assert review["revision"]["previous_round"] == 1


def test_adding_a_manifest_with_the_applicants_name_keeps_the_history(tmp_path: Path) -> None:
    cohort, out = tmp_path / "cohort", tmp_path / "out"
    folder = _applicant(cohort, "student-01", PS_A)  # no manifest: known by the folder's name
    run_batch(cohort, out, SETTINGS, jobs=1)
    (folder / "application.yaml").write_text("applicant: Maria Garcia\n")
    (folder / "personal_statement.txt").write_text(PS_A.replace("It was not my fault, the exam was unfair to "
                                                                "international students. ", ""))
    run_batch(cohort, out, SETTINGS, jobs=1)
    review = json.loads((out / "student-01" / "personal_statement.review.json").read_text())
    assert review["revision"]["previous_round"] == 1 and NEW_HISTORY_NOTE not in review["notes"]


def test_an_applicant_folder_that_is_a_link_is_listed_not_followed(tmp_path: Path) -> None:
    outside = _applicant(tmp_path / "elsewhere", "someone", PS_B)
    cohort = tmp_path / "cohort"
    _applicant(cohort, "anna", PS_A)
    (cohort / "linked").symlink_to(outside, target_is_directory=True)
    out = tmp_path / "out"
    result = run_batch(cohort, out, SETTINGS, jobs=1)
    assert [(a, e.split(": ", 1)[1].split(";")[0]) for a, _d, e in result.failures] == [
        ("linked", "is a link to a folder")]
    written = "".join(p.read_text(errors="ignore") for p in out.rglob("*")
                      if p.is_file() and p.suffix in (".md", ".json"))
    assert "proctor was rude" not in written
    with pytest.raises(InputError, match="is a link to a folder"):  # nor by a dry run or an export
        list(plan_batch(cohort, out, SETTINGS))
