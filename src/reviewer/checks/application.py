"""Detectors for the ``application`` rubric: checks across one applicant's documents.

Each receives an :class:`~reviewer.checks.registry.AppContext` (the applicant's documents, each with a
distinct ``path``) and returns hits whose ``document`` names the file they point into.

Choices worth knowing:

* ``application.score_once`` reuses :func:`reviewer.checks.score.score_discussion` (one definition of
  "the score discussion" for the whole tool). A discussion counts as an *explanation* when it describes a
  setback (the score module's failure / attempt / low-score reading, or one of ``weakness_terms`` such
  as "context for my score", "too few questions") and gives context or a change (``explanation_terms``);
  a score named as a strength ("I scored 248 on Step 2 CK, which reflects my new approach") explains
  nothing. Only written documents a program reads count (``kinds``: personal statement, additional
  information; not interview answers or experience entries). Program-tailored personal statements are
  alternatives (a program sees one of them), so two personal statements alone are not a rehash; an
  additional-information explanation plus a personal-statement one is, as are two additional-information
  ones (``ps_variants``).
* ``application.consistency`` extracts exam facts with deliberately narrow patterns: a three-digit score
  in the plausible range right after the exam name ("Step 2 CK score of 238", "Step 2 CK: 238") or right
  before it ("243 on Step 2 CK"); an attempt count ("passed on my third attempt", "failed Step 1 twice").
  Practice-test, target and threshold numbers ("NBME 230", "aim for 240", "above 230") are skipped. Two
  different passing scores of one exam cannot both be true (a passed exam cannot be retaken), so they
  contradict; a failing score next to a passing one is a retake, not a contradiction. Dates count too: an
  exam is passed once, a numbered sitting has one date, and where the folder says an exam was failed once
  ("passed on my second attempt", "my only failed attempt"), every failure it dates (by month or by year
  alone) is that one sitting. A pass is dated once, and no failure comes after it ("passed on my second
  attempt (2018)" / "I failed USMLE Step 1, in July 2019"). A first-attempt pass ("I passed all my USMLE
  exams on the first try") contradicts a failure of that exam dated in another document. Someone else's
  result (a roommate's, "9 of 10 passed") is no fact of the applicant's.
* ``application.gaps`` merges the dated intervals of every experience entry of the applicant; an entry
  with no end month is ongoing. A gap is the run of *empty* months between them: an entry ending 2018-02
  and the next starting 2018-11 leave "2018-03 to 2018-10, 8 months"; more than ``max_months`` warns.
  A gap's months are *explained* by a prose sentence of any document (entry descriptions, not entry titles
  or details lines; not headings) that dates them ("between March and July 2020", "in 2021"; "since
  October 2021" covers nothing before it) with an explanation word (research, family, national service,
  exam preparation...) in it or in the next sentence of its paragraph. What stays open longer than
  ``max_months`` is still a gap, reported as its longest open run. A human reads the warning, the tool only
  points at the months. The time after the last entry is not judged (the tool does not know "now").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from pydantic import Field

from ..document import DocKind, Document, Entry, Sentence
from ..errors import printable
from ..findings import Verdict
from ..ingest.dates import MONTH_NAME, YEAR, find_date, parse_month
from .experience import entry_anchor, entry_span
from .registry import AppContext, Hit, Outcome, Params, register
from .score import SAT_APART, exam_name, named_exams, others_result, score_discussion, with_digits
from .text import has_term

# --- application.score_once -------------------------------------------------------------------------


class ScoreOnceParams(Params):
    kinds: tuple[DocKind, ...] = (DocKind.PERSONAL_STATEMENT, DocKind.ADDITIONAL_INFO)
    ps_variants: bool = True  # several personal statements are program-tailored alternatives
    # a one-sentence discussion with one of these points to the explanation elsewhere instead of giving it
    referral_terms: tuple[str, ...] = ()
    # a setback discussion explains it only when it says why or what changed (one of these); a result stated
    # in passing ("to prepare for my Step 1 retake, which I passed in 2021") is a mention (empty: any counts)
    explanation_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    doc: Document
    start: int
    end: int


def score_explanation(actx: AppContext, doc: Document, params: ScoreOnceParams) -> Explanation | None:
    """The document's score discussion when it explains a setback, else None.

    The same reading as the document's own review (the score.* criteria apply exactly when the main
    discussion is a setback), so the application check never disagrees with it; a single sentence that
    only points the reader to another section ("as explained in my Additional Information") explains
    nothing here, and neither does a setback stated in passing with no cause or change (``explanation_terms``)."""
    disc = score_discussion(actx.context(doc))
    if disc is None or not disc.setback:
        return None
    if len(disc) == 1 and has_term(disc.sentences[0].text, params.referral_terms):
        return None
    if params.explanation_terms and not any(has_term(x.text, params.explanation_terms) for x in disc.sentences):
        return None
    return Explanation(doc, disc.start, disc.end)


def _is_rehash(found: Sequence[Explanation], params: ScoreOnceParams) -> bool:
    if len(found) < 2:
        return False
    if not params.ps_variants:
        return True
    other = [e for e in found if e.doc.kind is not DocKind.PERSONAL_STATEMENT]
    # an additional-information explanation repeated in a personal statement, or two non-statement ones
    return (bool(other) and len(found) > len(other)) or len(other) >= 2


@register("application_score_once", ScoreOnceParams, application=True)
def check_score_once(actx: AppContext, params: ScoreOnceParams) -> Outcome:
    """``fail`` when the score is explained in two written documents a program reads, with a hit in each."""
    found = [
        e
        for d in actx.docs
        if d.kind in params.kinds
        if (e := score_explanation(actx, d, params)) is not None
    ]
    if not found:
        return Outcome(Verdict.NOT_APPLICABLE, summary="no written document explains a score")
    names = [printable(e.doc.path) for e in found]  # file names may carry control characters
    if not _is_rehash(found, params):
        if len(found) > 1:  # only program-tailored personal statements: each program reads one
            return Outcome(
                Verdict.PASS,
                summary=f"explained once per program (alternative statements: {', '.join(names)})",
            )
        return Outcome(Verdict.PASS, summary=f"score explained once: {names[0]}")
    hits = tuple(
        Hit(
            e.start,
            e.end,
            Verdict.FAIL,
            "also explained in " + ", ".join(n for n in names if n != printable(e.doc.path)),
            document=e.doc.path,
        )
        for e in found
    )
    return Outcome(
        Verdict.FAIL, hits, summary=f"score explained in {len(found)} documents: {', '.join(names)}"
    )


# --- application.consistency ------------------------------------------------------------------------


class ConsistencyParams(Params):
    score_range: tuple[int, int] = (150, 300)  # USMLE three-digit scores
    comlex_range: tuple[int, int] = (200, 999)
    pass_marks: dict[str, int] = Field(
        default_factory=lambda: {"Step 1": 194, "Step 2 CK": 209, "Step 3": 198}
    )
    skip_words: tuple[str, ...] = (
        "practice",
        "NBME",
        "UWSA",
        "self-assessment",
        "predicted",
        "mock",
        "target",
        "goal",
        "aim",
        "average",
        "mean",
        "median",
        "cutoff",
        "cut-off",
        "threshold",
        "minimum",
        "above",
        "over",
        "below",
        "under",
        "at least",
        "percentile",
    )


_SCORE = re.compile(r"(?<![\w.,$/-])(?P<n>\d{3})(?![\w%]|\.\d|,\d|\s*(?:th|st|nd|rd|percent)\b)")
_LINK_AFTER = re.compile(
    r"^(?:\s*(?:score|scored|result|of|was|is|were|a|an|my|with|at|:|-|–|—|\(|,|i|received|earned|obtained|"
    r"achieved|got|three-digit|final|total|where|which|when|exam|examination|on|in|it|\d-digit|to|up|"
    r"improved|rose|increased|jumped|went|reached|first|second|third|attempt|try|sitting|the|preparation|prep))*\s*$",
    re.IGNORECASE,
)
# "I took Step 2 CK and I got 229": the score follows the exam the sentence says was taken
_TOOK_BEFORE = re.compile(
    r"\b(?:took|take|taking|sat|sat\s+for|wrote|attempted|retook)\s+(?:the\s+)?(?:USMLE\s+)?$", re.IGNORECASE
)
_AND_GOT = re.compile(
    r"^\s*,?\s*and\s+(?:I\s+)?(?:got|scored|received|earned|achieved|obtained)\s+(?:a\s+)?"
    r"(?:score\s+of\s+)?$",
    re.IGNORECASE,
)
_LINK_BEFORE = re.compile(r"^\s*(?:points?\s+)?(?:on|in|for)\s+(?:the\s+|my\s+)?$", re.IGNORECASE)
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5}
_TIMES = {"once": 1, "twice": 2, "two times": 2, "three times": 3, "thrice": 3, "four times": 4}
_ON_ATTEMPT = re.compile(
    r"\b(?:on|at|in)\s+(?:my\s+|the\s+|a\s+|his\s+|her\s+)?(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|fifth)\s+"
    r"(?:(?:USMLE\s+)?(?:Step[\s-]*\w+(?:\s+CK)?|COMLEX(?:\s+Level\s*\d)?)\s+)?(?:attempt|try|sitting|go|take)\b"
    # "the second time round", "the first time I sat it": an ordinal time of sitting the exam
    r"|\b(?:my|the)\s+(?P<ord2>first|second|third|fourth)\s+time(?:\s+round|\s+around|\s+I\s+(?:sat|took|wrote|attempted)"
    r"|(?=[^.;]{0,30}\bI\s+(?:finally\s+)?(?:passed|cleared)))\b",
    re.IGNORECASE,
)
# "passed on the second" (no "attempt"): the pass verb makes the ordinal an attempt
_PASSED_ON_ORD = re.compile(
    r"\bpass(?:ed|ing)?\b[^.;]{0,30}?\bon\s+(?:my|the)\s+(?P<ord>second|2nd|third|3rd|fourth|4th|fifth)\b"
    r"(?!\s+(?:day|week|month|year|time|floor|page|round|try|attempt|sitting))",
    re.IGNORECASE,
)
# "Step 1 — Pass (2nd attempt)": a heading or summary line
_PASS_PAREN = re.compile(r"\bpass(?:ed)?\s*[(\[,–—-]\s*(?:on\s+)?"
                         r"(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|fifth)\s+(?:attempt|try|sitting)",
                         re.IGNORECASE)
# "Step 2 CK (231, first attempt)": a score and the attempt it took, in brackets
_SCORE_PAREN = re.compile(r"\(\s*[12]\d\d\s*[,;]\s*(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th)\s+"
                          r"(?:attempt|try|sitting)", re.IGNORECASE)


# "Full-time study for my second Step 1 attempt (passed 10/2021)"
_ATTEMPT_PASSED = re.compile(r"\b(?:for|in|on)\s+(?:my|the)\s+(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th)\s+"
                             r"(?:(?:USMLE\s+)?(?:Step[\s-]*\w+(?:\s+CK)?|COMLEX(?:\s+Level\s*\d)?)\s+)?"
                             r"(?:attempt|sitting)\s*\(\s*pass(?:ed)?\b", re.IGNORECASE)
# "Step 1: Pass, attempt #2", "passed (attempt 2)"
_PASS_NUMBERED = re.compile(r"\bpass(?:ed)?\b[^.;:]{0,12}?\battempt\s*(?:#|no\.?\s*|number\s+)?(?P<num>[1-5])\b",
                            re.IGNORECASE)


def _summary_attempt(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """An attempt given beside a result in a summary line ("Pass (2nd attempt)", "(231, first attempt)",
    "Pass, attempt #2")."""
    stop = len(text) if end is None else end
    return (_PASS_PAREN.search(text, start, stop) or _SCORE_PAREN.search(text, start, stop)
            or _PASS_NUMBERED.search(text, start, stop) or _ATTEMPT_PASSED.search(text, start, stop))


def _ordinal(m: re.Match[str]) -> int:
    """The attempt a summary match names, as an ordinal word or a number."""
    named = m.groupdict()
    return int(named["num"]) if named.get("num") else _ORD[m.group("ord").lower()]


# "I sat it three times", "I had to sit that one twice"
_SAT_TIMES = re.compile(r"\b(?:sat|sit|took|take|wrote|write|attempted)\s+(?:it|the\s+exam|that\s+one|this\s+one"
                        r"|Step[\s-]*\w+)\s+(?P<times>once|twice|thrice|two\s+times|three\s+times|four\s+times)\b",
                        re.IGNORECASE)
_N_ATTEMPTS = re.compile(
    r"\b(?:after|in|took|taking|needed|required|requiring|within)\s+(?:me\s+)?(?P<n>two|three|four|2|3|4)\s+"
    r"(?:attempts|tries|sittings|goes)\b",
    re.IGNORECASE,
)
# "USMLE Step 1 — attempts: 3", "Attempts - 2": a field of a summary line
_ATTEMPTS_FIELD = re.compile(r"\battempts\s*(?::|=|-|–|—)\s*(?P<n>[1-5]|one|two|three|four|five)\b"
                             # "USMLE Step 1: two attempts (fail May 2021, pass January 2022)"
                             r"|[:–—]\s*(?P<n2>two|three|four|2|3|4)\s+attempts\b", re.IGNORECASE)
_FAILED_TIMES = re.compile(
    r"\bfail(?:ed|ing)?\b[^.;]{0,30}?\b(?P<times>once|twice|thrice|two times|three times|four times)\b"
    r"|\b(?P<n>one|two|three|four|1|2|3|4)\s+(?:failed|unsuccessful)\s+attempts?\b",
    re.IGNORECASE,
)
_PASS_WORD = re.compile(r"\b(?:pass(?:ed|ing)?|succeeded|clear(?:ed|ing)?|earned|achieved|obtained)\b", re.IGNORECASE)
_PASS_AFTER = re.compile(
    r"^\s*,?\s*(?:I\s+)?(?:finally\s+|successfully\s+)?(?:pass|succeed|clear)", re.IGNORECASE
)
_FAIL_AFTER = re.compile(
    r"^\s*,?\s*(?:I\s+)?(?:fail|did\s+not\s+pass|didn't\s+pass|was\s+unsuccessful)", re.IGNORECASE
)
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18}
_FAIL_WORD = re.compile(
    r"\b(?:fail(?:ed|ure|ing)?|did\s+not\s+pass|didn't\s+pass|unsuccessful)\b", re.IGNORECASE
)


def exam_of(m: re.Match[str]) -> str:
    """The exam a mention found by ``named_exams`` names."""
    return exam_name(m.group())


@dataclass(frozen=True)
class Fact:
    """One exam fact stated in a document: ``what`` is ``score``, ``attempts`` (attempts to pass; RETAKEN:
    more than one), ``outcome`` (of the sitting in ``month``: 1 passed, 0 not), ``passed_in`` (the month the exam
    was passed, as ``value``) or ``sitting`` (the month, as ``value``, of sitting number ``ordinal``)."""

    exam: str
    what: str
    value: int
    doc: Document
    sentence: Sentence
    month: int | None = None
    ordinal: int | None = None  # which sitting a SITTING fact dates


def _score_facts(doc: Document, sent: Sentence, params: ConsistencyParams) -> Iterator[Fact]:
    text = with_digits(sent.text)  # "two twenty-nine on Step 2 CK" states 229 as much as "229" does
    exams = named_exams(text)
    if not exams:
        return
    clauses = _clauses(text)
    for m in _SCORE.finditer(text):
        value = int(m.group("n"))
        clause = next(((a, b) for a, b in clauses if a <= m.start() < b), (0, len(text)))
        # a practice score, a target, someone else's ("my flatmate, who had scored 250"): in the words before it,
        # in its own clause ("…and weekly self-assessment, and scored 233 on Step 2 CK" is the applicant's)
        if has_term(text[max(clause[0], m.start() - 40) : m.start()], params.skip_words):
            continue
        if others_result(text[clause[0] : clause[1]]):
            continue  # "My study partner actually got two-fifty on CK"
        after = next((e for e in exams if e.start() >= m.end()), None)
        before = next((e for e in reversed(exams) if e.end() <= m.start()), None)
        exam: str | None = None
        if after is not None and _LINK_BEFORE.match(text[m.end() : after.start()]):
            exam = exam_of(after)
        elif before is not None and _linked_after(text, exams, before, m):
            exam = exam_of(before)
        elif (before is not None and len({exam_of(e) for e in exams}) == 1
              and (_FOR_EXAM.match(text[: before.end()]) or _PREPARED_FOR.search(text[: before.start()]))
              and _SCORED_BEFORE.search(text[max(0, m.start() - 20) : m.start()])):
            # "For Step 2 CK I switched to timed blocks …, and I scored 232.", "I prepared for Step 2 CK while
            # volunteering …, mostly at night, and scored two hundred and twenty-one."
            exam = exam_of(before)
        if exam is None:
            continue
        lo, hi = params.comlex_range if exam.startswith("COMLEX") else params.score_range
        if lo <= value <= hi:
            yield Fact(exam, "score", value, doc, sent)


# A sentence about one exam from its first words: "For Step 2 CK I switched to …", "On Step 3, …"
_FOR_EXAM = re.compile(r"^\W*(?:for|on|in|with)\s+(?:the\s+|my\s+)?(?:USMLE\s+)?\S+(?:\s+\S+){0,2}$", re.IGNORECASE)
# "I prepared for Step 2 CK while …, and scored 221": the one exam the applicant prepared for or sat
_PREPARED_FOR = re.compile(r"\bI\s+(?:\w+ly\s+)?(?:prepared|studied|sat|took|wrote)\s+(?:for\s+)?(?:the\s+)?"
                           r"(?:USMLE\s+)?$", re.IGNORECASE)
_SCORED_BEFORE = re.compile(r"\b(?:I\s+)?(?:scored|got|received|earned|achieved|obtained)\s+(?:a\s+|an\s+)?$",
                            re.IGNORECASE)


_SAT_DATE = re.compile(rf"\s*\b(?:in|on)\s+(?:{MONTH_NAME}\.?\s*,?\s*{YEAR}|{YEAR})\b", re.IGNORECASE)


def _linked_after(text: str, exams: Sequence[re.Match[str]], exam: re.Match[str], num: re.Match[str]) -> bool:
    """Does the score ``num`` belong to the ``exam`` named before it?"""
    # "I took Step 2 CK in March 2023 and scored 234", "passed Step 2 CK on my first attempt in March 2022 with a
    # score of 232": the sitting's date between the exam and its score
    between = _SAT_DATE.sub("", text[exam.end() : num.start()], count=1)
    if _AND_GOT.match(between):
        return _TOOK_BEFORE.search(text[max(0, exam.start() - 30) : exam.start()]) is not None
    # a date or an aside between the exam and its score: "USMLE Step 1 (June 2020): 208"
    between = _ASIDE.sub(" ", between)
    return _LINK_AFTER.match(between) is not None and not _coordinated(text, exams, exam)


# "| USMLE Step 2 CK | Apr 2022 | 241 |": a date cell of a table row is an aside too
_ASIDE = re.compile(rf"\([^()\d]{{0,20}}\d{{4}}\)|\(\d{{1,2}}/\d{{4}}\)"
                    rf"|\|\s*(?:{MONTH_NAME}\.?\s+{YEAR}|\d{{1,2}}/{YEAR})\s*(?=\|)|\|", re.IGNORECASE)


def _coordinated(text: str, exams: Sequence[re.Match[str]], exam: re.Match[str]) -> bool:
    """Is ``exam`` the last of a list ("Step 1 and Step 2 CK scores of 221 and 240")? Then the numbers
    after it are ambiguous (respectively), and none is taken."""
    prev = [e for e in exams if e.end() <= exam.start()]
    between = text[prev[-1].end() : exam.start()] if prev else ""
    return bool(prev) and re.fullmatch(r"\s*(?:,|and|&|/|or|,\s*and)\s*", between) is not None


# "I did not pass Step 1 on my first two attempts", "didn't pass it the first two times"
_NOT_FIRST_N = re.compile(
    r"\b(?:did\s+not|didn't|failed\s+to|could\s+not|couldn't)\s+(?:pass|clear)\b[^.;]{0,40}?\b(?:my|the)\s+first\s+"
    r"(?P<n>two|three|2|3)\s+(?:attempts|times|tries|sittings)\b",
    re.IGNORECASE,
)
_ONLY_FAILURE = re.compile(
    r"\bonly\s+(?:failed\s+attempt|unsuccessful\s+attempt|fail(?:ure)?\s+(?:on|at|in|of)\s+(?:the\s+)?(?:USMLE\s+)?"
    r"(?:Step|COMLEX))|\bonly\s+time\s+I\s+(?:failed|did\s+not\s+pass|didn['’]t\s+pass)\s+(?:the\s+)?(?:USMLE\s+)?"
    r"(?:Step|COMLEX)",
    re.IGNORECASE,
)
# Passed after a failure, without saying on which attempt: "passed on the retake", "did not pass in 2020 and
# passed it in 2021". It contradicts only a first-attempt pass.
RETAKEN = 0
_RETAKEN = re.compile(
    r"\bpass(?:ed|ing)?\b[^.;]{0,40}?\b(?:on|at|in|after)\s+(?:the\s+|a\s+|my\s+)?(?:re-?takes?|re-?sits?|resits?"
    r"|repeat(?:\s+attempt)?|re-?attempt|second\s+sitting)\b"
    r"|\b(?:re-?took|re-?sat|resat)\b[^.;]{0,40}?\bpass(?:ed)?\b"
    r"|\b(?:failed(?!\s+to\b)|did\s+not\s+pass|didn't\s+pass|was\s+unsuccessful)\b[^.;]{0,60}?\b(?:passed|cleared)\b",
    re.IGNORECASE,
)


def _attempt_value(text: str) -> int | None:
    """How many attempts it took to pass, when ``text`` says so; None otherwise."""
    for m in _ON_ATTEMPT.finditer(text):
        ordinal = _ORD[(m.group("ord") or m.group("ord2")).lower()]
        before, after = text[max(0, m.start() - 50) : m.start()], text[m.end() : m.end() + 40]
        passed = _PASS_WORD.search(_FAIL_WORD.sub(" ", before)) or _PASS_AFTER.match(after)
        failed = _FAIL_WORD.search(before) or _FAIL_AFTER.match(after)
        if failed and not passed:
            continue  # "failed Step 1 on my first attempt" says which attempt failed, not how many it took
        if ordinal == 1 and not passed:
            continue  # "on my first attempt I scored 205" does not say the first attempt passed
        return ordinal
    bare = _PASSED_ON_ORD.search(text) or _summary_attempt(text)
    if bare:
        return _ordinal(bare)
    sat = _SAT_TIMES.search(text)
    if sat:
        return _TIMES[re.sub(r"\s+", " ", sat.group("times").lower())]
    total = _N_ATTEMPTS.search(text) or _ATTEMPTS_FIELD.search(text)
    if total:
        n = (total.group("n") or total.groupdict().get("n2") or "").lower()
        return _COUNT_WORDS.get(n) or int(n)
    first_n = _NOT_FIRST_N.search(text)
    if first_n:
        n = first_n.group("n").lower()
        return (_COUNT_WORDS.get(n) or int(n)) + 1
    if _ONLY_FAILURE.search(text):
        return 2  # "my first and only failure on USMLE Step 1", "my only failed attempt": passed on the second
    failed = _FAILED_TIMES.search(text)
    if failed:
        if failed.group("times"):
            return _TIMES[failed.group("times").lower()] + 1
        n = failed.group("n").lower()
        return (_COUNT_WORDS.get(n) or int(n)) + 1
    if _RETAKEN.search(text):
        return RETAKEN
    return None


# Where one clause of a sentence ends and the next begins: "...passed on my second attempt; I then scored
# 238 on Step 2 CK" states Step 1's attempts and Step 2 CK's score, not two Step 2 CK attempts.
_CLAUSES = re.compile(r"[;:]|\s[–—-]\s|,\s*(?:and\s+)?(?:I\s+)?(?:then|later|subsequently|afterwards?|since\s+then)\b"
                      r"|,\s*and\s+(?=the\b|that\b|this\b|it\b|passed\b|scored\b|cleared\b)"
                      r"|,?\s(?:and|but|while|whereas)\s+(?=I\b|my\b)|\band\s+(?:then|later)\b"
                      # "I passed on the third attempt in June 2021 and scored 229 on Step 2 CK"
                      r"|\s(?:and|but)\s+(?=(?:also\s+|later\s+)?(?:scored|took|sat)\b)",
                      re.IGNORECASE)


def _clauses(text: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.start() for m in _CLAUSES.finditer(text)), len(text)]
    return [(a, b) for a, b in pairwise(cuts) if text[a:b].strip()]


_EACH = re.compile(r"\b(?:each|both)\b", re.IGNORECASE)


def _exam_before(doc: Document, sent: Sentence, at: int) -> list[re.Match[str]]:
    """The nearest exam named before offset ``at`` of ``sent``, in it or earlier in its paragraph (none or one)."""
    earlier = named_exams(sent.text, 0, at)
    if not earlier:
        prev = [s for s in doc.sentences if s.block == sent.block and s.index < sent.index]
        earlier = [m for s in prev for m in named_exams(s.text)]
    return earlier[-1:]


_GROUP_COUNT = re.compile(r"\b\d+\s+(?:of|out\s+of)\s+(?:the\s+)?\d+\b", re.IGNORECASE)


def _someone_elses(text: str, a: int, b: int) -> bool:
    """Is the clause ``text[a:b]`` about someone else's result ("My roommate passed CK on her first attempt") or a
    group's ("Tutored 10 students for COMLEX Level 1; 9 of 10 passed on the first attempt")?"""
    return others_result(text[a:b]) or _GROUP_COUNT.search(text, a, b) is not None


# "I passed all my USMLE exams on the first try", "every Step on my first attempt": a first-attempt pass of each
EVERY_EXAM = "every USMLE exam"
_ALL_FIRST = re.compile(
    r"\b(?:passed|cleared)\s+(?:all|each|every\s+one)\s+(?:of\s+)?(?:my\s+|the\s+)?(?:USMLE\s+)?"
    r"(?:exams|examinations|Steps|boards|board\s+exams)\s+(?:on\s+|at\s+)?(?:my\s+|the\s+)?first\s+(?:try|attempts?|sitting)"
    r"|\b(?:passed|cleared)\s+(?:every|each)\s+(?:USMLE\s+)?(?:exam|Step)\s+(?:on\s+|at\s+)?(?:my\s+|the\s+)?first\s+"
    r"(?:try|attempt|sitting)",
    re.IGNORECASE,
)


def _attempt_facts(doc: Document, sent: Sentence, clauses: Sequence[tuple[int, int]]) -> Iterator[Fact]:
    """Attempt counts, each for the exam named in its own clause (before it, else after it), else for the
    exam of the clause or sentence before it ("I failed Step 1. I passed on my second attempt.")."""
    text = sent.text
    if _ALL_FIRST.search(text):
        yield Fact(EVERY_EXAM, "attempts", 1, doc, sent)
        return
    for a, b in clauses:
        value = _attempt_value(text[a:b])
        if value is None or _someone_elses(text, a, b):
            continue
        exams = named_exams(text, a, b)
        paren = _summary_attempt(text, a, b)
        if paren is not None:  # "Step 1: Pass (3rd attempt) Step 2 CK: 229": the exam the result line follows
            exams = named_exams(text, 0, paren.end())[-1:]  # "for my second Step 1 attempt (passed …)" names it
        if not exams:
            exams = _exam_before(doc, sent, a)
        names = sorted({exam_of(m) for m in exams})
        if len(names) == 1 or (names and _EACH.search(text, a, b)):  # "Step 1 and Step 2 CK, each on the first"
            for name in names:
                yield Fact(name, "attempts", value, doc, sent)


# A dated outcome: "passed Step 1 in March 2020", "my March 2023 attempt at Step 3 failed", "Step 3 (03/2023): pass".
# Two documents that give one exam's sitting of one month opposite outcomes contradict each other.
_OUTCOME = re.compile(r"\b(?:(?P<fail>(?<!pass/)(?<!pass-)fail(?:ed|ing)?(?!\s+to\b)|did\s+not\s+pass|didn['’]t\s+pass"
                      r"|without\s+passing"
                      r"|not\s+passed|(?:was\s+|were\s+)?(?:unsuccessful|not\s+successful))"
                      r"|(?P<pass>(?<!not\s)passed|cleared|pass(?![/-])(?<!without\spass)"
                      r"|passing(?!\s+(?:score|standard|mark|line|grade|threshold|rate|result))))\b", re.IGNORECASE)
_MONTH_DATE = re.compile(rf"(?<![\w/.])(?:{MONTH_NAME},?\s*{YEAR}|\d{{1,2}}\s?/\s?{YEAR})"
                         r"(?![\w/])", re.IGNORECASE)
_YEAR_DATE = re.compile(rf"(?<![\w/.]){YEAR}(?![\w/])")
# A failed sitting dated by its month or only its year ("Failing Step 1 in 2019"): where the folder says the exam
# was failed once (passed on the second attempt), every failure it dates is that one sitting.
FAILED = "failed"
OUTCOME = "outcome"
# The month an exam was passed, where the date follows the pass ("passed Step 1 in January 2022"): an exam is
# passed once, so two months at least SAT_APART apart contradict (a result comes within about four weeks of
# the sitting, so one month apart may be the sitting and the result).
PASSED_IN = "passed_in"
# "passed Step 1 on my second attempt in November 2021": the pass and its date, in one phrase (not an entry's
# "Step 1 — Pass, attempt 2)** | Independent study | 04/2023 - 10/2023")
_PASS_DATED = re.compile(r"[^|()*;:\n]{0,50}?\b(?:in|on)\s+$", re.IGNORECASE)
PASSED_YEAR = "passed_year"  # the year alone of a pass ("passed on my second attempt (2018)")
_PASS_YEAR_DATED = re.compile(r"[^|*;:\n()]{0,50}?(?:\b(?:in|on)\s+|\()$", re.IGNORECASE)
_ROW_BREAK = re.compile(r"\n|\|\s*\|")  # the end of a line or of a table row ("| Fail | | USMLE Step 1 |")
_SAT_VERB = re.compile(r"\b(?:sat|took|wrote|attempted|taken)\b", re.IGNORECASE)


def _outcome_facts(doc: Document, sent: Sentence, clauses: Sequence[tuple[int, int]]) -> Iterator[Fact]:
    """Each outcome word with the month-dated sitting right after it (or right before it), for the exam of its
    clause: value 1 passed, 0 did not."""
    text = sent.text
    months = list(_MONTH_DATE.finditer(text))
    everywhere = sorted([*months, *(y for y in _YEAR_DATE.finditer(text)
                                    if not any(m.start() <= y.start() < m.end() for m in months))],
                        key=lambda d: d.start())
    for a, b in clauses:
        # "I took it in January 2021 and I passed": the sitting may be dated in the clause before
        dates = [d for d in everywhere if d.start() < b]
        outcomes = list(_OUTCOME.finditer(text, a, b)) if dates else []
        if not outcomes or _someone_elses(text, a, b):
            continue
        exams = named_exams(text, a, b) or _exam_before(doc, sent, a)
        only = exams[0] if len({exam_of(m) for m in exams}) == 1 else None
        for o in outcomes:
            # the exam the outcome names ("passing Step 1 in February 2021 and scoring 236 on Step 2 CK"), else
            # the one exam of its clause
            named = [m for m in exams if 0 <= m.start() - o.end() <= 8]
            exam = named[0] if named else only
            if exam is not None and not named and exam.start() > o.end() and exam.start() >= a:
                # "I passed in January 2022 and used the same method for Step 2 CK": an exam named only after
                # the outcome and its date is what came next; the outcome is of the exam before it
                exam = next(iter(_exam_before(doc, sent, a)), None)
            # a date in the same line (a table row or a list item is one), with no other outcome between
            after = [d for d in dates if 0 <= d.start() - o.end() <= 60 and not _OUTCOME.search(text, o.end(),
                                                                                                    d.start())
                     and not _ROW_BREAK.search(text, o.end(), d.start())]
            before = [d for d in dates if 0 <= o.start() - d.end() <= 30 and not _OUTCOME.search(text, d.end(),
                                                                                                   o.start())
                      and not _ROW_BREAK.search(text, d.end(), o.start())]
            if not after and not before:
                # "I sat USMLE Step 1 for the first time in June 2021, during my second residency year, and I did
                # not pass": the date of the sitting the clauses before name
                before = [d for d in dates if 0 <= o.start() - d.end() <= 80
                          and _SAT_VERB.search(text, max(0, d.start() - 60), d.start())
                          and not _OUTCOME.search(text, d.end(), o.start())]
            # "(Sep 2019 fail, Jun 2020 pass)": a date right before the outcome word is its own
            adjacent = [d for d in before if not text[d.end() : o.start()].strip()]
            date = adjacent[-1] if adjacent else after[0] if after else (before[-1] if before else None)
            # a year alone dates a failure only ("Failing Step 1 in 2019"), never an outcome of a month
            month = month_number(date.group()) if date and _MONTH_DATE.fullmatch(date.group()) else None
            if exam is not None and date is not None and o.group("fail"):
                year = int(re.findall(YEAR, date.group())[-1])
                yield Fact(exam_of(exam), FAILED, year, doc, sent, month)
            if exam is not None and date is not None and month is None and o.group("pass") and after \
                    and date is after[0] and _PASS_YEAR_DATED.match(text, o.end(), date.start()):
                # "Step 1 passed on my second attempt (2018)": the year the exam was passed
                yield Fact(exam_of(exam), PASSED_YEAR, int(re.findall(YEAR, date.group())[-1]), doc, sent)
            if exam is not None and month is not None:
                yield Fact(exam_of(exam), OUTCOME, 1 if o.group("pass") else 0, doc, sent, month)
                if o.group("pass") and after and _PASS_DATED.match(text, o.end(), after[0].start()) \
                        and not named_exams(text, o.end(), after[0].start())[1:]:
                    # "I passed Step 1 in January 2022": an exam is passed once, so this is the month it was
                    yield Fact(exam_of(exam), PASSED_IN, month, doc, sent)


# The date of one sitting, by its number: "My first attempt at Step 1, in March 2021, was a fail", "For my second
# attempt, in September 2020, …", "The first time I took it was September 2020". Two documents that date one
# sitting SAT_APART or more months apart contradict each other.
SITTING = "sitting"
_NTH = r"(?P<ord>first|1st|second|2nd|third|3rd)"
_EXAM_WORDS = r"(?:(?:USMLE\s+)?(?:Step[\s-]*\w+(?:\s+CK)?|COMLEX(?:\s+Level\s*\d)?)|it|the\s+exam)"
_MONTH_OF = rf"{MONTH_NAME},?\s*{YEAR}|\d{{1,2}}/{YEAR}"
_SITTING_DATED = re.compile(
    rf"\b(?:my|the)\s+{_NTH}\s+(?:{_EXAM_WORDS}\s+)?(?:attempt|sitting)(?:\s+(?:at|of|on)\s+{_EXAM_WORDS})?"
    rf"\s*,?\s*(?:was\s+)?(?:in|on)\s+(?P<date>{_MONTH_OF})"
    rf"|\b(?:the\s+)?{_NTH.replace('ord', 'ord2')}\s+time\s+I\s+(?:took|sat|wrote|attempted)\s+(?:for\s+)?{_EXAM_WORDS}"
    rf"\s*,?\s*(?:was\s+(?:in\s+)?|in\s+|on\s+)(?P<date2>{_MONTH_OF})"
    # "The second time, in October 2021, I passed", "The first time, January 2021, I didn't pass"
    rf"|\b(?:my|the)\s+{_NTH.replace('ord', 'ord4')}\s+time\s*,\s*(?:in\s+|on\s+)?(?P<date4>{_MONTH_OF})\s*,"
    # "When I first sat Step 1 in November 2019, I did not pass"
    rf"|\bI\s+(?P<ord3>first)\s+(?:sat|took|wrote|attempted)\s+(?:for\s+)?{_EXAM_WORDS}\s+(?:in|on)\s+"
    rf"(?P<date3>{_MONTH_OF})",
    re.IGNORECASE,
)


_PREPARING_FOR = re.compile(r"\b(?:for|before|towards?|during|preparing\s+for|prepare\s+for|studying\s+for)\s+$",
                            re.IGNORECASE)


def _sitting_facts(doc: Document, sent: Sentence) -> Iterator[Fact]:
    """The month of a numbered sitting, for the exam it names or the one named before it."""
    text = sent.text
    for m in _SITTING_DATED.finditer(text):
        if _PREPARING_FOR.search(text, 0, m.start()):
            continue  # "For my second attempt, in September 2020, I used a question bank": when preparing, maybe
        month = month_number(m.group("date") or m.group("date2") or m.group("date3") or m.group("date4"))
        ordinal = _ORD.get((m.group("ord") or m.group("ord2") or m.group("ord3") or m.group("ord4")).lower())
        exams = named_exams(text, m.start(), m.end()) or _exam_before(doc, sent, m.start())
        if month is not None and ordinal is not None and len({exam_of(e) for e in exams}) == 1:
            yield Fact(exam_of(exams[0]), SITTING, month, doc, sent, ordinal=ordinal)


def exam_facts(doc: Document, params: ConsistencyParams) -> list[Fact]:
    """Every score, attempt count, dated outcome, month of a pass and dated sitting stated in ``doc`` (experience
    headings included: they are text too)."""
    out: list[Fact] = []
    for sent in doc.sentences:
        clauses = _clauses(sent.text)
        out.extend(_score_facts(doc, sent, params))
        out.extend(_attempt_facts(doc, sent, clauses))
        out.extend(_outcome_facts(doc, sent, clauses))
        out.extend(_sitting_facts(doc, sent))
    return out


def _conflicts(facts: Sequence[Fact], params: ConsistencyParams) -> list[tuple[Fact, Fact]]:
    by_key: dict[tuple[str, str, int | None, int | None], list[Fact]] = defaultdict(list)
    for f in facts:
        by_key[(f.exam, f.what, f.month, f.ordinal)].append(f)
    pairs: list[tuple[Fact, Fact]] = []
    for (exam, what, _month, _ordinal), group in by_key.items():
        if what in (FAILED, PASSED_YEAR):
            continue
        if what == "score":
            mark = params.pass_marks.get(exam)
            group = [f for f in group if mark is None or f.value >= mark]
        # compare with an exact count where there is one: a retake without a count agrees with any count but 1
        # (RETAKEN is 0, so in an outcome group the reference is a pass, and each other document's fail pairs with it)
        first = next((f for f in group if f.value != RETAKEN), group[0]) if group else None
        for f in group:
            if first is not None and f is not first and f.doc.path != first.doc.path and _differ(first, f):
                pairs.append((first, f))
    return pairs + _one_failure_dated_twice(facts) + _failed_after_first_time(facts) + _passed_twice_or_early(facts)


def _failed_after_first_time(facts: Sequence[Fact]) -> list[tuple[Fact, Fact]]:
    """A first-attempt pass of an exam (or of every exam: "I passed all my USMLE exams on the first try") in one
    document, and a failure of it dated in another."""
    pairs: list[tuple[Fact, Fact]] = []
    for first in facts:
        if first.what != "attempts" or first.value != 1:
            continue
        failed = next((f for f in facts if f.what == FAILED and f.doc.path != first.doc.path
                       and first.exam in (f.exam, EVERY_EXAM)), None)
        if failed is None and first.exam == EVERY_EXAM:
            # "I passed each USMLE Step on my first attempt" / "I passed Step 1 on my second attempt"
            failed = next((f for f in facts if f.what == "attempts" and f.value != 1 and f.exam != EVERY_EXAM
                           and f.doc.path != first.doc.path), None)
        if failed is not None:
            pairs.append((first, failed))
    return pairs


def _months(f: Fact) -> tuple[int, int]:
    """The first and last month a dated pass or failure may mean (a year alone: its twelve months)."""
    month = f.value if f.what == PASSED_IN else f.month if f.what == FAILED else None
    year = f.value
    return (month, month) if month is not None else (year * 12, year * 12 + 11)


def _may_meet(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Could two spans of months be one event? They overlap, or come within a month of each other (SAT_APART: sat
    in December, the result in January)."""
    slack = SAT_APART - 1
    return not (a[1] < b[0] - slack or a[0] > b[1] + slack)


def _passed_twice_or_early(facts: Sequence[Fact]) -> list[tuple[Fact, Fact]]:
    """An exam is passed once, and never failed after: two documents that put its pass in different years ("passed
    on my second attempt (2018)" / "passed in January 2020"), or a pass dated before a failure another document
    dates ("(2018)" / "I failed USMLE Step 1, in July 2019"). A month either side of a year is the same pass."""
    pairs: list[tuple[Fact, Fact]] = []
    passes = [f for f in facts if f.what in (PASSED_IN, PASSED_YEAR)]
    for k, a in enumerate(passes):
        for b in passes[k + 1 :]:  # two passes, one of them a year alone (two months are compared in _conflicts)
            if b.exam == a.exam and b.doc.path != a.doc.path and PASSED_YEAR in (a.what, b.what) \
                    and not _may_meet(_months(a), _months(b)):
                pairs.append((a, b))
        pairs.extend((a, b) for b in facts if b.what == FAILED and b.exam == a.exam and b.doc.path != a.doc.path
                     and _months(b)[0] > _months(a)[1] + 1)
    return pairs


def _one_failure_dated_twice(facts: Sequence[Fact]) -> list[tuple[Fact, Fact]]:
    """Failures of an exam the folder says was failed once (every attempt count is 2), dated by two documents
    to sittings that cannot be one: "Failing Step 1 in 2019" / "My first attempt, in November 2020, was my only
    failed attempt"."""
    pairs: list[tuple[Fact, Fact]] = []
    for exam in sorted({f.exam for f in facts if f.what == FAILED}):
        counts = {f.value for f in facts if f.exam == exam and f.what == "attempts"}
        if counts != {2}:
            continue
        failed = [f for f in facts if f.exam == exam and f.what == FAILED]
        first = failed[0]
        pairs.extend((first, f) for f in failed[1:] if f.doc.path != first.doc.path and not _one_sitting(first, f))
    return pairs


def _one_sitting(a: Fact, b: Fact) -> bool:
    """Could two dated failures be one sitting? Months within SAT_APART of each other, or a month in the year
    the other names (or the month either side of it: sat in December, failed in the January result); two years
    alone, only the same year."""
    if a.month is None and b.month is None:
        return a.value == b.value
    return _may_meet(_months(a), _months(b))


def _differ(a: Fact, b: Fact) -> bool:
    if a.what in (PASSED_IN, SITTING):
        return abs(a.value - b.value) >= SAT_APART
    if RETAKEN in (a.value, b.value) and a.what == "attempts":
        return 1 in (a.value, b.value)
    return a.value != b.value


def _describe(f: Fact) -> str:
    if f.what == "score":
        return f"{f.exam} score {f.value}"
    if f.what == PASSED_IN:
        return f"{f.exam} passed in {month_label(f.value)}"
    if f.what == PASSED_YEAR:
        return f"{f.exam} passed in {f.value}"
    if f.what == SITTING:
        return f"{f.exam} attempt {f.ordinal} sat in {month_label(f.value)}"
    if f.what == FAILED:
        return f"{f.exam}'s one failed attempt in {month_label(f.month) if f.month is not None else f.value}"
    if f.what == OUTCOME and f.month is not None:
        return f"{f.exam} {'passed' if f.value else 'not passed'} in {month_label(f.month)}"
    return f"{f.exam} passed after a failed attempt" if f.value == RETAKEN else f"{f.exam} passed on attempt {f.value}"


@register("application_consistency", ConsistencyParams, application=True)
def check_consistency(actx: AppContext, params: ConsistencyParams) -> Outcome:
    """``fail`` when two documents state different scores, attempt counts, outcomes of one sitting, months of
    the pass or dates of one sitting for the same exam."""
    facts = [f for d in actx.docs for f in exam_facts(d, params)]
    if not facts:
        return Outcome(Verdict.NOT_APPLICABLE, summary="no exam scores or attempt counts stated")
    pairs = _conflicts(facts, params)
    if not pairs:
        return Outcome(Verdict.PASS, summary=f"{len(facts)} exam fact(s) agree across documents")
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for a, b in pairs:
        for this, other in ((a, b), (b, a)):
            if (this.doc.path, this.sentence.start) in seen:
                continue
            seen.add((this.doc.path, this.sentence.start))
            note = f"{_describe(this)} here, but {_describe(other)} in {other.doc.path}"
            hits.append(
                Hit(this.sentence.start, this.sentence.end, Verdict.FAIL, note, document=this.doc.path)
            )
    summary = "; ".join(f"{_describe(a)} ({a.doc.path}) vs {_describe(b)} ({b.doc.path})" for a, b in pairs)
    return Outcome(Verdict.FAIL, tuple(hits), summary=f"contradictory exam facts: {summary}")


# --- application.gaps -------------------------------------------------------------------------------


class GapsParams(Params):
    max_months: int = 6
    explanation_terms: tuple[str, ...] = Field(min_length=1)


def month_number(value: str | None, *, end: bool = False) -> int | None:
    """A month as a count (year * 12 + month - 1); None when absent or not a date.

    Entries hold ``YYYY-MM``; entries built in code may carry any form :mod:`reviewer.ingest.dates` reads
    (``03/2022``, ``Mar 2022``, a bare year, which is its January, or its December when ``end``)."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value or "")
    if m is None and value:
        month = parse_month(value, end=end)
        m = re.fullmatch(r"(\d{4})-(\d{2})", month) if month else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_label(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


@dataclass(frozen=True)
class Dated:
    start: int
    end: int | None  # None: ongoing
    doc: Document
    entry: Entry


@dataclass(frozen=True)
class Gap:
    """The empty months ``first``..``last`` (inclusive) before the activity ``next``."""

    first: int
    last: int
    next: Dated

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def label(self) -> str:
        return f"{month_label(self.first)} to {month_label(self.last)}, {self.months} months"


def dated_entries(docs: Sequence[Document]) -> list[Dated]:
    out: list[Dated] = []
    for d in docs:
        if d.kind is not DocKind.EXPERIENCE:
            continue
        for e in d.entries:
            start = month_number(e.start_month)
            if start is None:
                continue
            end = month_number(e.end_month, end=True)
            out.append(Dated(start, max(end, start) if end is not None else None, d, e))
    return sorted(out, key=lambda x: (x.start, x.doc.path, x.entry.index))


def find_gaps(dated: Sequence[Dated], max_months: int) -> list[Gap]:
    """Gaps longer than ``max_months`` between the merged intervals (an ongoing entry covers the rest)."""
    gaps: list[Gap] = []
    covered: int | None = None
    for item in dated:
        if covered is not None and item.start - covered - 1 > max_months:
            gaps.append(Gap(covered + 1, item.start - 1, item))
        if item.end is None:
            break
        covered = item.end if covered is None else max(covered, item.end)
    return gaps


def _dates_in(text: str) -> list[tuple[int, int | None]]:
    """Every date or range in ``text`` as months (end None: ongoing)."""
    out: list[tuple[int, int | None]] = []
    pos = 0
    while (found := find_date(text[pos:])) is not None:
        start, end = month_number(found.start), month_number(found.end, end=True) if found.end else None
        if end is None and re.match(r"start", text[pos + found.span[0] :], re.IGNORECASE):
            end = start  # "(started April 2018)" in prose dates one month; "since March 2022" runs on
        if start is not None:
            out.append((start, end))
        pos += found.span[1]
    return out


# A sentence that goes on about the period the one before it dated: "In those months I was caring for my father".
_THOSE_MONTHS = re.compile(r"(?:^\W*(?:then|at\s+(?:that|the)\s+time)|\b(?:those|that|these|this)\s+(?:\w+\s+)?"
                           r"(?:months?|period|gap|weeks)|\b(?:during|in|for|over|throughout)\s+(?:that|this|those)\s+"
                           r"(?:\w+\s+)?time)\b", re.I)


_NAMES_GAP = re.compile(r"\b(?:no\s+(?:\w+\s+)?(?:activit(?:y|ies)|entries|experience|work|employment)|gaps?|empty"
                        r"|(?:time|months?)\s+(?:off|away)|break\s+(?:in|from)|(?:shows?|lists?)\s+nothing"
                        # "I was not in clinical work", "I did not hold a clinical position", "I was not working"
                        r"|(?:was|were)\s+not\s+(?:in\s+(?:\w+\s+)?(?:work|practice|employment)|working|employed)"
                        r"|did\s+not\s+(?:hold|have)\s+(?:a|any)\s+(?:\w+\s+)?(?:position|post|job|role))\b", re.I)


# "took eight months", "spent about a year": how long a spell lasted (``n`` and ``unit``)
_SPELL = (r"(?:spent|took|used|had|needed)\s+(?:about\s+|nearly\s+|almost\s+|around\s+)?"
          r"(?P<n>\d{1,2}|[a-z]+)\s+(?P<unit>months?|years?)\b")
# "After my internship I took eight months to prepare for Step 1": a period dated by the entry it follows.
_AFTER_ENTRY = re.compile(
    r"\bafter\s+(?:my|the|our)\s+(?P<what>[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,3}?)\s*,?\s+I\s+" + _SPELL,
    re.IGNORECASE,
)


def _spell_months(m: re.Match[str]) -> int | None:
    """How many months a :data:`_SPELL` match says (None when its count is no number)."""
    n = int(m.group("n")) if m.group("n").isdigit() else _COUNT_WORDS.get(m.group("n").lower())
    if not n:
        return None
    return n * 12 if m.group("unit").lower().startswith("year") else n


def _after_entry(text: str, dated: Sequence[Dated]) -> list[tuple[int, int | None]]:
    """The months after a named entry that ``text`` accounts for ("after my internship I took eight months")."""
    out: list[tuple[int, int | None]] = []
    for m in _AFTER_ENTRY.finditer(text):
        months = _spell_months(m)
        head = m.group("what").split()[-1].lower().rstrip("s")
        named = [d for d in dated if d.end is not None
                 and head in " ".join(filter(None, [d.entry.title, d.entry.role])).lower()]
        # else the entry that says what it was ("House Officer": "One-year internship in medicine…")
        named = named or [d for d in dated if d.end is not None and head in (d.entry.description or "").lower()]
        ends = [d.end for d in named if d.end is not None]
        if months and ends:
            out.append((max(ends) + 1, max(ends) + months))
    return out


# "After my servicio social ended in July 2020, I spent ten months caring for my grandmother": a spell counted
# from a dated month (the month after it, when something ended then).
_DATED_SPELL = re.compile(rf"(?P<date>{MONTH_NAME},?\s*{YEAR})\s*,?\s+I\s+(?:then\s+)?" + _SPELL,
                          re.IGNORECASE)


_ENDED = re.compile(r"\b(?:ended|finished|completed|closed|left)\b", re.IGNORECASE)


def _dated_spell(text: str) -> list[tuple[int, int | None]]:
    """The months a dated spell covers ("… in July 2020, I spent ten months …")."""
    out: list[tuple[int, int | None]] = []
    for m in _DATED_SPELL.finditer(text):
        start, months = month_number(m.group("date")), _spell_months(m)
        if start is None or not months:
            continue
        ended = _ENDED.search(text[max(0, m.start() - 40) : m.start()])
        first = start + 1 if ended else start
        out.append((first, first + months - 1))
    return out


def explained_months(docs: Sequence[Document], terms: Sequence[str], dated: Sequence[Dated] = ()) -> set[int]:
    """The months an applicant accounts for in prose: a sentence that dates a period ("Between March and July
    2020", "In 2021", "an empty space between March and November 2021", "after my internship I took eight
    months", by the entry it names in ``dated``) and gives a reason from ``terms`` in it or in the next sentence
    of its paragraph ("In those months I was caring for my father")."""
    covered: set[int] = set()
    for d in docs:
        sents = _prose(d)
        reason = [has_term(s.text, terms) for s in sents]
        for i, s in enumerate(sents):
            nxt = i + 1 if i + 1 < len(sents) and sents[i + 1].block == s.block else None
            refers = nxt is not None and _THOSE_MONTHS.search(sents[nxt].text) is not None
            # a sentence that names the empty months ("My CV shows no clinical activity from March to October
            # 2022.") is explained by the reason its paragraph goes on to give
            rest = [j for j in range(i + 1, len(sents)) if sents[j].block == s.block] if _NAMES_GAP.search(s.text) \
                else []
            if not (reason[i] or (refers and nxt is not None and reason[nxt]) or any(reason[j] for j in rest)):
                continue
            for start, end in [*_dates_in(s.text), *_after_entry(s.text, dated), *_dated_spell(s.text)]:
                covered.update(range(start, (end if end is not None else start + 1200) + 1))
    return covered


def unexplained(gap: Gap, covered: set[int], max_months: int) -> Gap | None:
    """The longest run of ``gap``'s months that ``covered`` leaves open, when it is longer than ``max_months``."""
    runs: list[tuple[int, int]] = []
    for m in range(gap.first, gap.last + 1):
        if m in covered:
            continue
        if runs and runs[-1][1] == m - 1:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    longest = max(runs, key=lambda r: r[1] - r[0], default=None)
    if longest is None or longest[1] - longest[0] + 1 <= max_months:
        return None
    return Gap(longest[0], longest[1], gap.next)


def _prose(doc: Document) -> list[Sentence]:
    """Sentences a reader reads as prose: entry descriptions only (not titles or details lines), else
    every sentence outside headings."""
    if doc.entries:
        return [s for e in doc.entries for s in doc.sentences_in(e.start, e.end) if e.end > e.start]
    headings = {b.index for b in doc.blocks if b.heading}
    return [s for s in doc.sentences if s.block not in headings]


@register("application_gaps", GapsParams, application=True)
def check_gaps(actx: AppContext, params: GapsParams) -> Outcome:
    """``warn`` per unexplained gap longer than ``max_months`` between dated experience entries."""
    dated = dated_entries(actx.docs)
    if not dated:
        return Outcome(Verdict.NOT_APPLICABLE, summary="no dated experience entries")
    covered = explained_months(actx.docs, params.explanation_terms, dated)
    gaps = [u for g in find_gaps(dated, params.max_months) if (u := unexplained(g, covered, params.max_months))]
    if not gaps:
        return Outcome(
            Verdict.PASS,
            summary=f"{len(dated)} dated entr{'y' if len(dated) == 1 else 'ies'}, no unexplained gap over "
            f"{params.max_months} months",
        )
    hits: list[Hit] = []
    labels: list[str] = []
    for g in gaps:
        label = g.label
        labels.append(label)
        doc, entry = g.next.doc, g.next.entry
        s, e = entry_anchor(doc, entry_span(doc, entry))
        hits.append(
            Hit(
                s,
                e,
                Verdict.WARN,
                f"unexplained gap {label} before entry '{entry.title}'",
                entry=entry.index,
                document=doc.path,
            )
        )
    return Outcome(Verdict.WARN, tuple(hits), summary="unexplained gaps: " + "; ".join(labels))
