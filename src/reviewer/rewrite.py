"""A suggested rewrite of the score discussion, built only from facts the applicant's own documents state.

Two ways to get one:

* :func:`outline` (rules engine, offline): a fill-in outline in the guide's shape (what happened, briefly;
  what changed; the evidence since; the pivot to current strengths), pre-filled with what the draft
  already says (the exam, a failed attempt, a later pass, later scores, the study methods it names) and
  with marked blanks (``[...]``) for what is missing. Its filled text never states a fact the draft does
  not: every exam, number and name in it is copied from the draft (a test checks this with
  :func:`new_facts`). An interview answer gets the same four steps in spoken register, sized for 30-60
  seconds (75-150 words).
* :func:`model_rewrite` (a model engine): any callable that takes a prompt and returns text writes a 2-4
  sentence version (a spoken 75-150 word one for an interview answer); the answer is kept only when it
  has the right length and :func:`new_facts` finds nothing in it that the applicant's documents do not
  state. A rewrite that introduces a new number, exam, date, name, place or institution is discarded, and
  the reason is counted (:class:`RewriteTally`): a suggestion that invents a better score or a hospital
  the applicant never worked at would do the applicant harm.

Why the fact check is lexical and strict: a model's paraphrase may drop facts and reword freely, but
anything that *looks like* a fact (a digit, a spoken number or ordinal, an exam name, a month, a capitalised
name or an acronym) must be found in the sources. False alarms cost one discarded suggestion; a missed
invention costs the applicant's credibility.

This module judges nothing: it reads the score discussion as :mod:`reviewer.checks.score` finds it and the
exam facts as :mod:`reviewer.checks.application` reads them, and the review's verdicts to decide whether a
rewrite is worth suggesting.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .checks.application import ConsistencyParams, exam_facts
from .checks.score import EXAM, PRIOR, ScoreDiscussion, exam_name, find_score_discussions, main_discussion, with_digits
from .document import DocKind, Document, Sentence
from .findings import CriterionResult, Review, Verdict
from .ingest.dates import MONTH_NAME

# --- facts ----------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """A word list written as one string (long lexicons stay readable)."""
    return text.split()


_UNITS = _words("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                "seventeen eighteen nineteen")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_WORD_VALUES = {**{w: i for i, w in enumerate(_UNITS)}, **_TENS, "twice": 2, "thrice": 3, "once": 1,
                "hundred": 100, "thousand": 1000, "dozen": 12, "half": 0.5}
# Words that are numbers only in a way that states nothing ("one of the", "on my own"): not facts.
_NOT_NUMBERS = frozenset({"one", "once", "zero", "half"})
_NUMBER_WORDS = re.compile(r"(?<![\w-])(?:" + "|".join(sorted({*_WORD_VALUES, *_ORDINALS}, key=len, reverse=True))
                           + r")(?![\w-])", re.IGNORECASE)
_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:st|nd|rd|th)?(?![\w])")
# A capitalised name: words starting with a capital (or all-capital acronyms), joined by a few lower-case
# connectors ("University of Lagos", "Hospital de Clínicas"). Possessive 's is not part of the name.
_CAP = r"(?:[A-Z][\w'’.-]*[\w]|[A-Z])"
_NAME = re.compile(rf"(?<![\w'’-]){_CAP}(?:\s+(?:(?:of|de|del|da|do|la|the|and|y|für|am|an)\s+)?{_CAP})*")
# Capitalised words that open sentences or are plain English, never a name on their own.
_COMMON = frozenset(_words("""
I I'm I've I'd I'll My Me We Our Us You Your It Its This That These Those There Here Then Now Today Since After
Before During While When Where Why How What Which Who Because As Although Though However But And Or So Yet Also
Afterward Afterwards Later Subsequently Finally First Second Third Next Over From With Without For In On At To
Into Through By Of Not No Yes More Most Many Much Some Each Every All Both Either Neither Working Looking Having
Being Studying Preparing Learning Using Taking Building Doing Going Getting Making Once Even Still Only Just Again
Instead Rather Above Below Under Between Within Across Against Along Around Beyond Despite Until Unless Whether
If Than A An The Dear Sincerely Thank Thanks Please Honestly Unfortunately Fortunately Importantly Additionally
Moreover Furthermore Overall Ultimately Eventually Recently Currently Meanwhile Therefore Thus Hence Indeed
Something Everything Nothing Anything Someone Everyone Nobody Anyone Step Steps Level Levels
"""))


@dataclass(frozen=True)
class Fact:
    """Something a text states that must be true of the applicant: ``kind`` is number, exam, month or name."""

    kind: str
    value: str  # normalised: "241", "Step 2 CK", "march", "mulago hospital"
    text: str  # as written
    start: int = 0  # where it starts (for ordering; approximate after a spoken score)


def _number_value(text: str) -> str | None:
    word = text.lower()
    if word in _ORDINALS:
        return _format_number(_ORDINALS[word])
    if word in _WORD_VALUES:
        return _format_number(_WORD_VALUES[word])
    digits = re.sub(r"(?:st|nd|rd|th)$", "", word).replace(",", "")
    try:
        return _format_number(float(digits))
    except ValueError:
        return None


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def facts_in(text: str) -> list[Fact]:
    """Every fact-like item of ``text``: numbers (digits, spoken scores, number words, ordinals), exam names,
    months, and capitalised names and acronyms that are not ordinary sentence words."""
    out: list[Fact] = []
    spoken = with_digits(text)
    in_exams = [(m.start(), m.end()) for m in EXAM.finditer(spoken)]  # "Step 2 CK" is an exam, not the number 2
    for pattern in (_DIGITS, _NUMBER_WORDS):
        for m in pattern.finditer(spoken):
            if any(a <= m.start() < b for a, b in in_exams) or m.group().lower() in _NOT_NUMBERS:
                continue
            value = _number_value(m.group())
            if value is not None:
                out.append(Fact("number", value, m.group(), m.start()))
    exam_spans = []
    for m in EXAM.finditer(text):
        name = exam_name(m.group())
        exam_spans.append((m.start(), m.end()))
        if name != "boards":
            out.append(Fact("exam", name, m.group(), m.start()))
    for m in _NAME.finditer(text):
        if any(a <= m.start() < b for a, b in exam_spans):
            continue
        out.extend(_name_facts(m.group(), m.start()))
    return sorted(out, key=lambda f: f.start)


def _name_facts(phrase: str, start: int) -> list[Fact]:
    words = phrase.split()
    # leading sentence words ("After Mulago Hospital" -> "Mulago Hospital"); a phrase of only those is nothing
    # ... and a connector left in front by them ("I am Amara Okafor" -> "Amara Okafor", not "am Amara Okafor")
    while words and (words[0].rstrip("'’s") in _COMMON or words[0] in _COMMON or words[0].islower()):
        words = words[1:]
    while words and (words[-1] in _COMMON or words[-1].islower()):  # "UWorld I scored", "Okafor and I"
        words = words[:-1]
    if not words:
        return []
    name = " ".join(words)
    name = re.sub(r"['’]s$", "", name)
    if re.fullmatch(MONTH_NAME, name, re.IGNORECASE):
        return [Fact("month", name.rstrip(".").lower()[:3], name, start)]
    if re.fullmatch(r"[\d\W]+", name):
        return []
    return [Fact("name", " ".join(name.lower().split()), name, start)]


@dataclass(frozen=True)
class _Known:
    numbers: frozenset[str]
    exams: frozenset[str]
    months: frozenset[str]
    text: str  # lower-cased, whitespace-normalised sources, for names


def _known(sources: Iterable[str]) -> _Known:
    texts = [s for s in sources if s]
    facts = [f for t in texts for f in facts_in(t)]
    # A name may sit lower-case or inside a longer phrase in the sources ("the mulago hospital team")
    joined = " \n ".join(" ".join(with_digits(t).lower().replace("’", "'").split()) for t in texts)
    return _Known(
        numbers=frozenset(f.value for f in facts if f.kind == "number"),
        exams=frozenset(f.value for f in facts if f.kind == "exam"),
        months=frozenset(f.value for f in facts if f.kind == "month"),
        text=joined,
    )


def _stated(fact: Fact, known: _Known) -> bool:
    if fact.kind == "number":
        return fact.value in known.numbers
    if fact.kind == "exam":
        return fact.value in known.exams
    if fact.kind == "month":
        return fact.value in known.months
    return _name_stated(fact.value, known.text) or all(
        _name_stated(part, known.text) for part in re.split(r"\s+(?:and|y|&)\s+", fact.value))  # "UWorld and NBME"


def _name_stated(name: str, text: str) -> bool:
    pattern = r"(?<![\w])" + r"\s+".join(re.escape(w) for w in name.replace("’", "'").split()) + r"(?![\w])"
    return re.search(pattern, text) is not None


def new_facts(rewrite: str, sources: Sequence[str]) -> list[str]:
    """The facts of ``rewrite`` (numbers, exams, dates, names, places, institutions) that none of ``sources``
    states, as written in ``rewrite``, each once, in order. Empty when the rewrite invents nothing."""
    known = _known(sources)
    out: list[str] = []
    for fact in facts_in(rewrite):
        if not _stated(fact, known) and fact.text not in out:
            out.append(fact.text)
    return out


# --- the outline (rules engine) -----------------------------------------------------------------------------

BLANK = re.compile(r"\[[^\]]*\]")

# Concrete study methods as the applicant names them (the outline copies their wording).
METHOD = re.compile(
    r"(?<![\w-])(?:(?:daily|weekly|timed|regular|structured|full-length|dedicated|fixed|strict|honest|two|three)"
    r"[\s-]+(?:\w+[\s-]+)?)?"
    r"(?:UWorld|Amboss|COMBANK|TrueLearn|Anki|NBME|NBOME|UWSA|question[\s-]+banks?|qbanks?|question[\s-]+blocks?"
    r"|practice\s+(?:questions|tests|exams|blocks)|self-assessments?|self-testing|spaced\s+repetition|flashcards"
    r"|active\s+recall|(?:study\s+)?schedule|study\s+plan|study\s+group|tutor(?:ing)?|mentor|question-based\s+learning"
    r"|time\s+management)"
    r"(?:[\s-]+(?:self-assessments?|question\s+bank|questions|practice\s+(?:exams|tests)|blocks|exams|forms|cases))?"
    r"(?![\w-])",
    re.IGNORECASE,
)
_FAILED = re.compile(r"(?<![\w])(?:fail(?:ed|ure)?(?!\s+to\b)|(?:did\s+not|didn['’]t|not)\s+pass|unsuccessful)(?![\w])",
                     re.IGNORECASE)
_ORDINAL_WORD = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_ORDINAL_VALUE = {w: n for n, w in _ORDINAL_WORD.items()}
# "I passed on my second attempt": a later pass stated without the exam's name (the discussion's exam)
_PASSED_ON = re.compile(r"(?<![\w])pass(?:ed)?\b(?P<between>[^.;]{0,40}?)\bon\s+(?:my|the)\s+"
                        r"(?P<ord>second|third|fourth|fifth)\s+(?:attempt|try|sitting)", re.IGNORECASE)
_FIRST_ATTEMPT = re.compile(r"(?<![\w])(?:on\s+)?(?:my|the)\s+first\s+(?:attempt|try)(?![\w])", re.IGNORECASE)
_PASS_MARKS = ConsistencyParams().pass_marks
OUTLINE_KINDS = frozenset({DocKind.PERSONAL_STATEMENT, DocKind.ADDITIONAL_INFO, DocKind.INTERVIEW_ANSWER})
SCORE_PREFIX = "score."


@dataclass(frozen=True)
class OutlineStep:
    """One step of the guide's shape: its label, and the suggested sentence (blanks marked ``[...]``)."""

    label: str
    text: str

    @property
    def filled(self) -> bool:
        """Does the step carry the applicant's own facts (no blank left)?"""
        return BLANK.search(self.text) is None


@dataclass(frozen=True)
class Outline:
    """A fill-in rewrite of one score discussion."""

    kind: DocKind
    exam: str
    steps: tuple[OutlineStep, ...]
    target: str  # how long the finished passage should be
    facts: tuple[str, ...]  # the draft's facts the outline uses, as the draft writes them
    start: int  # the discussion it rewrites, in Document.text
    end: int
    source: str = "rules"  # "llm": the model's fact-checked passage (one step, see :func:`model_outline`)

    @property
    def text(self) -> str:
        """The steps as one passage."""
        return " ".join(s.text for s in self.steps)

    @property
    def filled_text(self) -> str:
        """The passage without its blanks: only what the outline states."""
        return " ".join(BLANK.sub(" ", self.text).split())


@dataclass(frozen=True)
class _Facts:
    exam: str
    failed: bool
    first_attempt: bool  # the draft says the setback was a first attempt
    low_score: int | None
    passed_on: int | None  # the attempt the setback exam was passed on
    passed_score: int | None
    later: tuple[tuple[str, int], ...]  # (exam, score) of other exams
    methods: tuple[str, ...]
    pivot: Sentence | None


def _setback_exam(doc: Document, disc: ScoreDiscussion) -> str:
    for s in disc.sentences:
        names = [exam_name(m.group()) for m in EXAM.finditer(s.text)]
        names = [n for n in names if n != "boards"]
        if names and (_FAILED.search(s.text) or re.search(r"\b(?:score|result|attempt)", s.text, re.I)):
            return names[0]
    return disc.exams[0] if disc.exams else "Step 1"


# How a sentence says a method is what the applicant did *before* the setback (what did not work): the score
# module's PRIOR, plus "too few", "not enough" and "mainly by/from" ("I prepared mainly by reading review books
# and did too few practice questions").
_BEFORE = re.compile(r"(?<![\w])(?:too\s+few|not\s+enough|(?:mainly|mostly|only)\s+(?:by|from|on)"
                     r"|(?:did\s+not|didn['’]t)\s+(?:use|do|practi[cs]e|take))(?![\w])", re.IGNORECASE)
_CLAUSE_TURN = re.compile(r"[;:]|,\s*(?:so|but|then)\b|\b(?:so|but)\s+(?:for|I)\b|\b(?:after\s+that|since\s+then)\b",
                          re.IGNORECASE)


def change_methods(text: str) -> list[re.Match[str]]:
    """The study methods ``text`` names as what the applicant changed to: not those in a clause about how
    they prepared before ("I had relied on review books, so I switched to timed blocks": only the blocks)."""
    out = []
    for m in METHOD.finditer(text):
        clause = _CLAUSE_TURN.split(text[: m.start()])[-1]
        if not (PRIOR.search(clause) or _BEFORE.search(clause)):
            out.append(m)
    return out


def _methods(sentences: Sequence[Sentence]) -> tuple[str, ...]:
    """Study methods named as the change, each once, in the applicant's words (at most three)."""
    found: list[str] = []
    for s in sentences:
        for m in change_methods(s.text):
            words = " ".join(m.group().split())
            if not any(words.lower() in f.lower() for f in found):
                found = [f for f in found if f.lower() not in words.lower()]
                found.append(words)
    return tuple(found[:3])


def _discussion_facts(review: Review, doc: Document, disc: ScoreDiscussion) -> _Facts:
    exam = _setback_exam(doc, disc)
    sentences = [s for s in doc.sentences if disc.first <= s.index <= disc.last + 1
                 and s.block <= disc.sentences[-1].block + 1]
    facts = exam_facts(doc, ConsistencyParams())
    in_disc = {s.index for s in sentences}
    scores = [(f.exam, f.value, f.sentence) for f in facts if f.what == "score"]
    mark = _PASS_MARKS.get(exam)
    low = next((v for e, v, s in scores if e == exam and s.index in in_disc and mark is not None and v < 220), None)
    passed_on = next((f.value for f in facts if f.what == "attempts" and f.exam == exam and f.value > 1), None)
    for s in disc.sentences if passed_on is None else ():
        m = _PASSED_ON.search(s.text)
        if m and all(exam_name(e.group()) == exam for e in EXAM.finditer(m.group("between"))):
            passed_on = _ORDINAL_VALUE[m.group("ord").lower()]
            break
    passed_score = next((v for e, v, s in scores if e == exam and low is not None and v > low), None)
    if passed_score is None and passed_on is not None:
        passed_score = next((v for e, v, s in scores if e == exam and mark is not None and v >= mark), None)
    later = tuple(dict.fromkeys((e, v) for e, v, _ in scores if e != exam))
    failed = any(_FAILED.search(s.text) for s in disc.sentences) or passed_on is not None
    pivot = None
    verdicts = {c.id: c.verdict for c in review.criteria}
    if verdicts.get("score.pivot") is Verdict.PASS:
        pivot = next((s for s in reversed(sentences) if s.index >= disc.last), None)
    first = any(_FIRST_ATTEMPT.search(s.text) for s in disc.sentences)
    return _Facts(exam, failed, first, low, passed_on, passed_score, later[:2], _methods(sentences), pivot)


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _evidence(f: _Facts, *, spoken: bool) -> str | None:
    """"After that, I passed Step 1 on my second attempt and scored 241 on Step 2 CK." from the draft's facts."""
    parts: list[tuple[str, str]] = []  # (verb, rest)
    if f.passed_on is not None:
        rest = f"{f.exam} on my {_ORDINAL_WORD.get(f.passed_on, 'next')} attempt"
        parts.append(("pass", rest + (f" with a {f.passed_score}" if f.passed_score is not None else "")))
    for exam, value in f.later:
        parts.append(("score", f"{value} on {exam}"))
    if not parts:
        return None
    forms = {"pass": ("passing", "passed"), "score": ("scoring", "scored")}
    said = _join([f"{forms[verb][0 if spoken else 1]} {rest}" for verb, rest in parts])
    return ("That led to " if spoken else "After that, I ") + said + "."


def _steps(f: _Facts, kind: DocKind) -> tuple[OutlineStep, ...]:
    spoken = kind is DocKind.INTERVIEW_ANSWER
    if f.low_score is not None and not f.failed:
        happened = f"My {f.exam} score of {f.low_score} was below what I expected."
    elif f.failed:
        when = " on my first attempt" if f.first_attempt else ""
        happened = f"I didn't pass {f.exam}{when}." if spoken else f"I did not pass {f.exam}{when}."
    else:
        happened = f"My {f.exam} result was below my expectations."
    happened = happened[:-1] + " [optional: a few words of context, e.g. adjusting to the exam format]."
    if f.methods:
        changed = ("After that, I changed how I study: I used " if spoken else "I changed how I prepared, using ") \
            + _join(list(f.methods)) + "."
    else:
        changed = ("After that, I changed how I study: " if spoken else "I changed how I prepared: ") + \
            "[the concrete change, e.g. question-based learning, a structured schedule, regular self-testing]."
    evidence = _evidence(f, spoken=spoken) or (
        "That led to [your later result: a later exam score, shelf scores or strong clinical evaluations]."
        if spoken else "Since then, [your later result: a later exam score, shelf scores or clinical evaluations].")
    if f.pivot is not None:
        pivot = " ".join(f.pivot.text.split())
    else:
        pivot = ("Today I use the same habits [where: on the wards, in clinic, in a QI project you led]."
                 if spoken else "[One sentence on a skill from this that you now use in patient care or QI work].")
    return (
        OutlineStep("What happened (briefly)", happened),
        OutlineStep("What changed", changed),
        OutlineStep("Evidence since", evidence),
        OutlineStep("Pivot to your strengths", pivot),
    )


_TARGETS = {
    DocKind.PERSONAL_STATEMENT: "2-4 sentences",
    DocKind.ADDITIONAL_INFO: "at most 6 sentences",
    DocKind.INTERVIEW_ANSWER: "75-150 words, about 30-60 seconds spoken",
}


def rewrite_discussion(criteria: Iterable[CriterionResult], document: Document) -> ScoreDiscussion | None:
    """The score discussion worth rewriting: the document's main one when it explains a setback and some
    ``score.*`` criterion of ``criteria`` (a review's results) warns or fails; else None."""
    if document.kind not in OUTLINE_KINDS:
        return None
    if not any(c.id.startswith(SCORE_PREFIX) and c.verdict in (Verdict.WARN, Verdict.FAIL) for c in criteria):
        return None
    disc = main_discussion(find_score_discussions(document))
    return disc if disc is not None and disc.setback else None


def outline(review: Review, document: Document) -> Outline | None:
    """A fill-in rewrite of the document's main score discussion, or None when there is nothing to rewrite:
    no discussion of a setback, or every ``score.*`` criterion already passes. When the model engine's
    rewrite of it passed the fact check (``review.llm.rewrite``), that passage instead
    (:func:`model_outline`)."""
    disc = rewrite_discussion(review.criteria, document)
    if disc is None:
        return None
    f = _discussion_facts(review, document, disc)
    steps = _steps(f, document.kind)
    used = [f.exam, *f.methods, *(str(v) for v in (f.low_score, f.passed_score) if v is not None),
            *(f"{e} {v}" for e, v in f.later)]
    rules = Outline(document.kind, f.exam, steps, _TARGETS[document.kind], tuple(dict.fromkeys(used)),
                    disc.start, disc.end)
    kept = review.llm.rewrite if review.llm is not None else None
    if kept is not None and kept.status == "kept" and kept.text:
        return model_outline(rules, kept.text)
    return rules


MODEL_STEP = "Suggested rewrite"


def model_outline(rules: Outline, text: str) -> Outline:
    """The model's fact-checked rewrite shown where the rules' outline would be: one step holding the passage,
    the same discussion and target; the facts are those of the draft the passage states."""
    used = tuple(f.text for f in facts_in(text))
    return Outline(rules.kind, rules.exam, (OutlineStep(MODEL_STEP, " ".join(text.split())),), rules.target,
                   tuple(dict.fromkeys(used)), rules.start, rules.end, source="llm")


# --- the model rewrite -----------------------------------------------------------------------------------------

Generate = Callable[[str], str]

_SENTENCE_END = re.compile(r"[.!?](?:[\"'”’)]*)(?=\s|$)")


@dataclass(frozen=True)
class RewriteResult:
    """A model's rewrite, kept (``text`` set) or discarded (``reason`` says why; ``new_facts`` lists what it
    invented)."""

    text: str | None
    reason: str = ""  # "" when kept; else one of REASONS
    new_facts: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        return self.text is not None


REASONS = ("new_facts", "length", "empty", "error")


@dataclass
class RewriteTally:
    """How many rewrites were kept, and how many were discarded for each reason."""

    kept: int = 0
    discarded: Counter[str] = field(default_factory=Counter)

    def add(self, result: RewriteResult) -> RewriteResult:
        if result.kept:
            self.kept += 1
        else:
            self.discarded[result.reason] += 1
        return result


def rewrite_prompt(passage: str, kind: DocKind, facts: Sequence[str] = ()) -> str:
    """The instruction a model gets: rewrite ``passage`` in the guide's shape, using only its facts."""
    if kind is DocKind.INTERVIEW_ANSWER:
        size = "a spoken answer of 75-150 words (30-60 seconds), calm and in the first person"
    else:
        size = "2-4 sentences in the first person"
    listed = f" The facts you may use: {'; '.join(facts)}." if facts else ""
    return (
        "Rewrite the applicant's explanation of an exam result below as " + size + ": what happened (briefly, "
        "without blame or apology), what the applicant changed, the later evidence, and how the applicant uses "
        "that today. Use only facts stated in the text: add no score, exam, date, name, place or institution "
        "that is not in it. Answer with the rewritten passage only." + listed + "\n\nTEXT:\n" + passage.strip()
    )


def _size_ok(text: str, kind: DocKind) -> bool:
    if kind is DocKind.INTERVIEW_ANSWER:
        return 75 <= len(text.split()) <= 150
    return 2 <= len(_SENTENCE_END.findall(text)) <= 4


def check_rewrite(text: str, sources: Sequence[str], kind: DocKind) -> RewriteResult:
    """Keep ``text`` only when it has the right size and states no fact the ``sources`` do not."""
    text = " ".join(text.split())
    if not text:
        return RewriteResult(None, "empty")
    invented = new_facts(text, sources)
    if invented:
        return RewriteResult(None, "new_facts", tuple(invented))
    if not _size_ok(text, kind):
        return RewriteResult(None, "length")
    return RewriteResult(text)


def model_rewrite(generate: Generate, passage: str, sources: Sequence[str], kind: DocKind, *,
                  tally: RewriteTally | None = None) -> RewriteResult:
    """Ask ``generate`` (any prompt -> text callable: a model client, a stub) for a rewrite of ``passage``
    and check it against ``sources`` (the applicant's documents); a failing call is discarded as ``error``.
    The outcome is counted in ``tally`` when given."""
    try:
        answer = generate(rewrite_prompt(passage, kind))
    except Exception as exc:  # any client's failure: the review goes on without a model rewrite
        result = RewriteResult(None, "error", (type(exc).__name__,))
    else:
        result = check_rewrite(answer if isinstance(answer, str) else "", sources, kind)
    return tally.add(result) if tally is not None else result


__all__ = [
    "REASONS",
    "Fact",
    "Outline",
    "OutlineStep",
    "RewriteResult",
    "RewriteTally",
    "check_rewrite",
    "facts_in",
    "model_outline",
    "model_rewrite",
    "new_facts",
    "outline",
    "rewrite_discussion",
    "rewrite_prompt",
]
