"""What the applicant reads: a review's findings turned into short comments an advisor would write.

Every renderer that speaks to the applicant (the DOCX comments, the HTML review, the Markdown report's
"Comments" list) shows the same :class:`Advice`, built here once from the review and the document:

* only what needs revising: ``warn``/``fail`` findings; a passing criterion never gets a comment;
* one :class:`Point` per criterion per paragraph: the findings of one criterion in one paragraph (three
  excuse phrases in one paragraph) become one point quoting up to :data:`MAX_QUOTES` of them;
* one :class:`Comment` per sentence at most: a point sits on the first sentence of its findings (a finding
  over the whole score discussion sits on its first sentence), and the points that sit on the same sentence
  merge into one comment;
* each point is one sentence naming the problem, quoting the applicant's own words (the clause a detector
  pointed at, never a lexicon), and one concrete fix (the first sentence of the criterion's suggestion);
  criterion ids never appear (they stay in JSON);
* the suggested rewrite of the score discussion (:func:`reviewer.rewrite.outline`: the rules' outline, or the
  model engine's passage when it passed the fact check) joins the comment on the discussion's first sentence;
* at most :data:`MAX_COMMENTS` comments per document, the most serious first; the rest are kept in
  :attr:`Advice.more` for the reports.

What a finding says is read from its ``message``: the criterion's message, then, in parentheses, the
detector's note (``"The score discussion dwells on feelings or apologizes. (dramatic distress:
"devastated")"``), as :func:`reviewer.checks.rules.hits_to_findings` and the model engine write it. Quoted
words in the note are the applicant's; a note with a number (a length, a count) is kept in the point;
other notes (category labels, a model's reasoning) stay in the JSON and Markdown only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..document import Document, Sentence
from ..findings import Finding, Review, Source, Verdict, worst
from ..rewrite import Outline, outline
from ..strengths import Strength, strengths

MAX_COMMENTS = 8
MAX_QUOTES = 2
MAX_POINTS = 3  # points spelled out in one comment; more are named by title only
QUOTE_WORDS = 12
SENTENCE_WORDS = 9  # the start of a sentence, quoted when no words within it are singled out

_OPEN = (Verdict.WARN, Verdict.FAIL)
_MESSAGE = re.compile(r"^(?P<head>.*?[.!?])\s+\((?P<detail>.*)\)\s*$", re.S)
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')
_ENTRY_PREFIX = re.compile(r"^(?:entry '[^']*'|this description)(?::\s*|$)")
_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\s-\s")
# words that join a clause to the one before it: a quote reads better without them ("and I was devastated")
_LEAD = re.compile(r"(?:(?:and|but|so|because|since|as|which|while|although|though|yet|or|then)\s+)+", re.I)
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?=\s+[A-Z“\"(]|\s*$)", re.S)


@dataclass(frozen=True)
class Point:
    """One problem: which criterion (for JSON), the problem in one sentence, and one fix."""

    criterion: str
    title: str
    verdict: Verdict
    problem: str
    fix: str
    start: int  # the earliest finding it stands for, in Document.text
    end: int


@dataclass(frozen=True)
class Comment:
    """What sits on one sentence: its points (most serious first) and, on the score discussion, the rewrite."""

    start: int  # what it sits on, in Document.text: within one sentence (the findings' words, or all of it)
    end: int
    points: tuple[Point, ...]
    outline: Outline | None = None

    @property
    def verdict(self) -> Verdict:
        return worst([p.verdict for p in self.points], default=Verdict.WARN)

    @property
    def text(self) -> str:
        """The comment as plain text, one line per sentence (a Word comment, a margin note)."""
        return comment_text(self)


@dataclass(frozen=True)
class Advice:
    """Everything the applicant reads about one document."""

    comments: tuple[Comment, ...]  # shown on the draft, in document order
    more: tuple[Comment, ...] = ()  # past the cap: in the reports only, in document order
    working: tuple[Strength, ...] = ()
    rewrite: Outline | None = None


# --- one finding -> its problem sentence and fix -----------------------------------------------------------------


def split_message(message: str) -> tuple[str, str]:
    """``(criterion message, detector note)`` of a finding's message (note "" when there is none)."""
    m = _MESSAGE.match(message.strip())
    return (m.group("head").strip(), m.group("detail").strip()) if m else (message.strip(), "")


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (a suggestion's concrete fix), whitespace-normalised."""
    text = " ".join(text.split())
    m = _FIRST_SENTENCE.match(text)
    return m.group(1) if m else text


def shorten(text: str, words: int = QUOTE_WORDS) -> str:
    """The first ``words`` words of ``text`` (an ellipsis where cut), without closing punctuation."""
    parts = " ".join(text.split()).split(" ")
    if len(parts) <= words:
        return " ".join(parts).rstrip(".!?;:,")
    return " ".join(parts[:words]).rstrip(",;:.") + "…"


def clause_around(sentence: str, phrase: str, words: int = QUOTE_WORDS) -> str:
    """The applicant's words around ``phrase``: the clause of ``sentence`` holding it (without a joining
    "and"/"because"), at most ``words`` words; the phrase itself when it is not in the sentence (hidden
    text, a model's quote)."""
    at = sentence.lower().find(phrase.lower())
    if at < 0:
        return shorten(phrase, words)
    end = at + len(phrase)
    breaks = list(_CLAUSE_BREAK.finditer(sentence))
    lo = max((m.end() for m in breaks if m.end() <= at), default=0)
    hi = min((m.start() for m in breaks if m.start() >= end), default=len(sentence))
    lead = _LEAD.match(sentence, lo + len(sentence[lo:hi]) - len(sentence[lo:hi].lstrip()))
    if lead is not None and lead.end() <= at:
        lo = lead.end()
    clause = sentence[lo:hi].strip().rstrip(".!?")
    parts = clause.split()
    if len(parts) <= words:
        return clause
    before = len(sentence[lo:at].split())
    start = max(0, min(before - 3, len(parts) - words))
    cut = " ".join(parts[start : start + words])
    return ("…" if start else "") + cut + ("…" if start + words < len(parts) else "")


def _overlap(a: str, b: str) -> bool:
    """Do two quotes show mostly the same words (two phrases of one clause)?"""
    wa, wb = set(a.strip("…").lower().split()), set(b.strip("…").lower().split())
    return bool(wa and wb) and len(wa & wb) >= 0.6 * min(len(wa), len(wb))


def _applicant_words(f: Finding, detail: str, sentence: Sentence | None, doc: Document) -> list[str]:
    """The applicant's words a finding is about: quoted in its note, else the start of its sentence."""

    def doc_heading(s: Sentence) -> bool:
        return 0 <= s.block < len(doc.blocks) and doc.blocks[s.block].heading

    quoted = [a or b for a, b in _QUOTED.findall(detail)] if f.source is Source.RULES else []
    context = sentence.text if sentence is not None else f.quote
    if quoted:
        return [clause_around(context, q.rstrip("…").strip()) for q in quoted]
    if sentence is not None and doc_heading(sentence):
        return []  # a finding about the whole document sits on its title: quoting the title says nothing
    if sentence is not None and f.end > sentence.end + 1:
        return []  # a finding over several sentences (the whole score discussion): its note says what it is
    if sentence is not None and f.quote.strip() and len(f.quote.strip()) < len(sentence.text.strip()):
        return [shorten(f.quote, QUOTE_WORDS)]  # words within the sentence: those
    if f.quote.strip():
        return [shorten(context, SENTENCE_WORDS)]
    return []


def _kept_detail(f: Finding, detail: str) -> str:
    """The note worth keeping in a point: a rules note with a number and no quotes ("7 sentences; keep it
    to at most 4"), without the "entry '...'" prefix (the comment sits on that entry)."""
    if f.source is not Source.RULES or _QUOTED.search(detail):
        return ""
    detail = _ENTRY_PREFIX.sub("", detail).strip()
    return detail if re.search(r"\d", detail) else ""


def _problem(head: str, detail: str, words: Sequence[str]) -> str:
    text = head.rstrip(".!?")
    if detail:
        text += f" ({detail})"
    if words:
        text += ": " + ", ".join(f"“{w}”" for w in words)
    return text + "."


# --- grouping ----------------------------------------------------------------------------------------------------


def _anchor(doc: Document, f: Finding) -> Sentence | None:
    """The sentence a finding's comment sits on: the first sentence its span touches."""
    found = doc.sentences_in(f.start, max(f.end, f.start + 1))
    return found[0] if found else None


def _points(review: Review, doc: Document) -> list[tuple[Sentence | None, Point]]:
    titles = {c.id: c.title or c.id for c in review.criteria}
    groups: dict[tuple[int, str], list[tuple[Finding, Sentence | None]]] = {}
    for f in review.findings:
        if f.verdict not in _OPEN:
            continue
        sent = _anchor(doc, f)
        block = sent.block if sent is not None else -1
        groups.setdefault((block, f.criterion), []).append((f, sent))
    placed: list[tuple[Sentence | None, Point]] = []
    for (_, cid), items in groups.items():
        items.sort(key=lambda fs: (fs[0].start, fs[0].end))
        first, sent = items[0]
        head, detail = split_message(first.message)
        words: list[str] = []
        for f, s in items:
            for w in _applicant_words(f, split_message(f.message)[1], s, doc):
                if not any(_overlap(w, seen) for seen in words):
                    words.append(w)
        fix = first_sentence(first.suggestion) if first.suggestion.strip() else ""
        point = Point(cid, titles.get(cid, cid), worst([f.verdict for f, _ in items]),
                      _problem(head, _kept_detail(first, detail), words[:MAX_QUOTES]), fix,
                      first.start, first.end)
        placed.append((sent, point))
    return placed


_LAST: list[tuple[Review, Document, int, Advice]] = []  # the last advice given: every format of a review asks


def advise(review: Review, document: Document, *, limit: int = MAX_COMMENTS) -> Advice:
    """The comments, what's working and the suggested rewrite for one reviewed document (the DOCX, JSON, Markdown
    and HTML renderers of one review share one computation: the last answer is kept, by identity)."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is review and last[1] is document and last[2] == limit:
        return last[3]
    advice = _advise(review, document, limit)
    _LAST[:] = [(review, document, limit, advice)]
    return advice


def _advise(review: Review, document: Document, limit: int) -> Advice:
    by_sentence: dict[int, list[Point]] = {}
    sentences: dict[int, Sentence] = {}
    comments = []
    for sent, point in _points(review, document):
        if sent is None:  # no sentence to sit on (an empty document): a renderer shows it apart
            comments.append(Comment(point.start, point.end, (point,)))
            continue
        by_sentence.setdefault(sent.index, []).append(point)
        sentences[sent.index] = sent
    rewrite = outline(review, document)
    rewrite_at = None
    if rewrite is not None:
        first = next((s for s in document.sentences if s.start >= rewrite.start), None)
        if first is not None:
            rewrite_at = first.index
            by_sentence.setdefault(first.index, [])
            sentences[first.index] = first
    order = {Verdict.FAIL: 0, Verdict.WARN: 1}
    for index, points in by_sentence.items():
        sent = sentences[index]
        points.sort(key=lambda p: (order.get(p.verdict, 2), p.start))
        # on exactly the words the findings point at, within the sentence (its whole text for the rewrite)
        spans = [(max(p.start, sent.start), min(p.end, sent.end)) for p in points]
        spans = [(a, b) for a, b in spans if b > a] if index != rewrite_at else []
        start, end = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (sent.start, sent.end)
        comments.append(Comment(start, end, tuple(points), rewrite if index == rewrite_at else None))
    ranked = sorted(comments, key=lambda c: (order.get(c.verdict, 2) if c.points else 0,
                                             c.outline is None, c.start))
    kept = sorted(ranked[:limit], key=lambda c: c.start)
    more = sorted(ranked[limit:], key=lambda c: c.start)
    return Advice(tuple(kept), tuple(more), strengths(review, document), rewrite)


# --- text --------------------------------------------------------------------------------------------------------


def outline_lines(o: Outline) -> list[str]:
    """The suggested rewrite as lines: a lead, then one numbered line per step (the model's fact-checked
    passage: the lead, then the passage)."""
    if o.source == "llm":
        return [f"Suggested rewrite by the model, checked to state only facts from your documents ({o.target}):",
                *(s.text for s in o.steps)]
    lead = (f"Suggested rewrite, built only from what your draft says ({o.target}; "
            "fill in or drop the [brackets]):")
    return [lead, *(f"{i}. {s.label}: {s.text}" for i, s in enumerate(o.steps, 1))]


def not_applicable_line(n: int) -> str:
    """The line under a scorecard that counts the criteria it leaves out."""
    return f"{n} more {'criterion does' if n == 1 else 'criteria do'} not apply to this document."


def comment_text(c: Comment) -> str:
    """Each point as its problem and a "Try this:" fix; then the rewrite outline, when the comment has one."""
    lines: list[str] = []
    shown, rest = c.points[:MAX_POINTS], c.points[MAX_POINTS:]
    numbered = len(shown) > 1
    for i, p in enumerate(shown, 1):
        lines.append(f"{i}. {p.problem}" if numbered else p.problem)
        if p.fix:
            lines.append(("   " if numbered else "") + f"Try this: {p.fix}")
    if rest:
        lines.append("Also worth revising here: " + "; ".join(p.title for p in rest) + ".")
    if c.outline is not None:
        if lines:
            lines.append("")
        lines.extend(outline_lines(c.outline))
    return "\n".join(lines)


__all__ = [
    "MAX_COMMENTS",
    "Advice",
    "Comment",
    "Point",
    "advise",
    "clause_around",
    "comment_text",
    "first_sentence",
    "not_applicable_line",
    "outline_lines",
    "split_message",
]
