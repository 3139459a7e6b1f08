"""Markdown output: feedback grouped by criterion, with quotes and suggestions, readable on its own.

Worst verdicts come first so a reader starts with what matters; passing and not-applicable criteria are
summarised in one table at the end.

Every piece of text that is not ours (quotes and names from the applicant's files, the model's messages
and suggestions, rubric text, error messages) goes through :func:`md_text` or :func:`md_code`, because
Markdown viewers render raw HTML and load images: a draft or a model answer holding ``<script>``,
``<img src=x onerror=...>``, ``[x](javascript:...)`` or ``![](http://...)`` must show as those characters,
never run or fetch anything. Text is backslash-escaped (HTML, links, images, code spans, emphasis and a
leading block marker), so the report still reads as plain text; names and ids sit in code spans whose
fence is longer than any backtick run inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..document import Document
from ..errors import printable
from ..findings import ApplicationReview, Change, CriterionResult, Finding, LLMReport, Review, RevisionSummary, Verdict

LABEL = {Verdict.FAIL: "FAIL", Verdict.WARN: "WARN", Verdict.PASS: "PASS", Verdict.NOT_APPLICABLE: "n/a"}
ORDER = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.PASS: 2, Verdict.NOT_APPLICABLE: 3}


_SPECIAL = re.compile(r"[\\`*_\[\]<>&]")  # HTML, autolinks, links/images, code spans, emphasis, entities
_BLOCK_START = re.compile(r"[#>+=-]|\d{1,9}[.)]")  # would start a heading, quote, list or rule at a line start


def md_text(text: str) -> str:
    """Text that is not ours as inert Markdown on one line: every character shows as written."""
    text = _SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(text.split()))
    start = _BLOCK_START.match(text)
    if start:
        text = text[: start.end() - 1] + "\\" + text[start.end() - 1 :]
    return text


def md_code(text: str) -> str:
    """``text`` (a name, path or id) as a code span: literal inside, so only its backticks need care."""
    text = " ".join(printable(text).split())
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _quote(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return "> " + md_text(text)


def md_cell(text: str) -> str:
    """Text for a table cell: escaped, and pipes escaped too (GFM splits cells on them, even in code)."""
    return md_text(text).replace("|", "\\|")


def md_code_cell(text: str) -> str:
    return md_code(text).replace("|", "\\|")


def _scorecard(criteria: Iterable[CriterionResult]) -> list[str]:
    lines = ["| Criterion | Verdict | Why | Guide section |", "|---|---|---|---|"]
    for c in sorted(criteria, key=lambda c: (ORDER[c.verdict], c.id)):
        lines.append(f"| {md_code_cell(c.id)} | {LABEL[c.verdict]} | {md_cell(c.message)} | {md_cell(c.guide)} |")
    return lines


def _criterion_section(c: CriterionResult, findings: list[Finding], entry_titles: dict[int, str]) -> list[str]:
    lines = [f"### {LABEL[c.verdict]} · {md_text(c.title or c.id)} ({md_code(c.id)})", "", md_text(c.message), ""]
    suggestions: list[str] = []
    for f in findings:
        where = []
        if f.document:
            where.append(f"in {md_code(f.document)}")
        if f.entry is not None:
            where.append(f"entry {f.entry + 1}: {md_text(entry_titles.get(f.entry, ''))}".rstrip(": "))
        lines.append(f"- **{f.verdict.value}** {md_text(f.message)}" + (f" ({'; '.join(where)})" if where else ""))
        if f.quote.strip():
            lines.append("")
            lines.append("  " + _quote(f.quote))
            lines.append("")
        if f.suggestion and f.suggestion not in suggestions:
            suggestions.append(f.suggestion)
    for s in suggestions:
        lines.append(f"**What to do:** {md_text(s)}")
        lines.append("")
    if c.guide:
        lines.append(f"*Guide: {md_text(c.guide)}*")
        lines.append("")
    return lines


def _body(criteria: tuple[CriterionResult, ...], findings: tuple[Finding, ...],
          entry_titles: dict[int, str]) -> list[str]:
    lines: list[str] = []
    open_items = [c for c in criteria if c.verdict in (Verdict.FAIL, Verdict.WARN)]
    if open_items:
        lines += ["## What to revise", ""]
        for c in sorted(open_items, key=lambda c: (ORDER[c.verdict], c.id)):
            lines += _criterion_section(c, [f for f in findings if f.criterion == c.id], entry_titles)
    else:
        lines += ["## What to revise", "", "Nothing: every criterion that applies passes.", ""]
    info = [f for f in findings if f.verdict is Verdict.PASS]
    if info:
        lines += ["## Also noted", ""]
        for f in info:
            lines.append(f"- {md_code(f.criterion)}: {md_text(f.message)}")
            lines.append("")
            lines.append("  " + _quote(f.quote, 240))
            lines.append("")
    lines += ["## Scorecard", "", *_scorecard(criteria), ""]
    return lines


def _verdict_label(v: Verdict | None) -> str:
    return LABEL[v] if v is not None else "—"


def revision_section(rev: RevisionSummary) -> list[str]:
    """"Since your last draft": what this draft resolved, what is still open (new points marked), and
    the criteria whose verdict changed."""
    resolved, persisting, new = rev.of(Change.RESOLVED), rev.of(Change.PERSISTING), rev.of(Change.NEW)
    lines = ["## Since your last draft", "",
             f"Round {rev.round}, compared with round {rev.previous_round}: **{len(resolved)} resolved · "
             f"{len(persisting) + len(new)} still open** ({len(new)} new)", ""]
    if resolved:
        lines += ["### Resolved", ""]
        for f in resolved:
            lines += [f"- {md_code(f.criterion)}: {md_text(f.message)}", "", "  " + _quote(f.quote, 240), ""]
    if persisting or new:
        lines += ["### Still open", ""]
        for f in (*persisting, *new):
            tag = " **(new)**" if f.status is Change.NEW else ""
            lines += [f"- {md_code(f.criterion)}{tag}: {md_text(f.message)}", "", "  " + _quote(f.quote, 240), ""]
    changed = [v for v in rev.verdicts if v.before != v.after]
    if changed:
        lines += ["### Verdicts that changed", "", "| Criterion | Before | Now |", "|---|---|---|"]
        lines += [f"| {md_code_cell(v.id)} | {_verdict_label(v.before)} | {_verdict_label(v.after)} |" for v in changed]
        lines.append("")
    return lines


def review_markdown(review: Review, document: Document | None = None) -> str:
    d = review.document
    titles = {e.index: e.title for e in document.entries} if document else {}
    counts = {v: sum(1 for c in review.criteria if c.verdict is v) for v in Verdict}
    lines = [
        f"# Review of {md_code(d.path)}",
        "",
        f"Kind: **{d.kind.value}** · {d.words} words · {d.characters} characters · engine: {md_text(review.engine)}",
        "",
        f"**{counts[Verdict.FAIL]} fail · {counts[Verdict.WARN]} warn · {counts[Verdict.PASS]} pass** "
        f"({counts[Verdict.NOT_APPLICABLE]} not applicable)",
        "",
    ]
    if review.revision is not None:
        lines += revision_section(review.revision)
    if review.notes:
        lines += ["## Notes", "", *[f"- {md_text(n)}" for n in review.notes], ""]
    if document is not None:
        lines += advice_sections(review, document)
    lines += _body(review.criteria, review.findings, titles)
    if review.llm is not None:
        lines += llm_section(review.llm)
    return "\n".join(lines).rstrip() + "\n"


def llm_section(r: LLMReport) -> list[str]:
    """Calls, tokens and estimated cost of the model engine for this document."""
    cost = f"about ${r.cost_usd:.4f}" if r.cost_usd is not None else "not estimated (no prices configured)"
    lines = [
        "## Model usage",
        "",
        f"Engine **{md_text(r.mode)}**, model {md_code(r.model)} at {md_code(r.endpoint)}: {r.api_calls} call(s) "
        f"sent, {r.cached_calls} answered from the cache, {r.prompt_tokens} prompt + {r.completion_tokens} "
        f"completion tokens, cost {cost}.",
        "",
        "| Rubric | Status | Method | Prompt tokens | Completion tokens | Note |",
        "|---|---|---|---|---|---|",
    ]
    for c in r.calls:
        lines.append(f"| {md_code_cell(c.rubric)} | {md_cell(c.status)} | {md_cell(c.method or '')} "
                     f"| {c.prompt_tokens} | {c.completion_tokens} | {md_cell(c.reason)} |")
    if r.dropped_quotes:
        lines += ["", f"{r.dropped_quotes} quote(s) from the model were not found in the draft and were dropped."]
    lines.append("")
    return lines


def application_markdown(app: ApplicationReview, review_files: dict[str, str]) -> str:
    lines = [f"# Application review: {md_text(printable(app.applicant))}", "", f"Folder: {md_code(app.path)}", "",
             "## Documents", ""]
    if app.documents:
        lines += ["| Document | Kind | Words | Fail | Warn | Feedback |", "|---|---|---|---|---|---|"]
        by_path = {r.document.path: r for r in app.reviews}
        for d in app.documents:
            r = by_path.get(d.path)
            fails = sum(1 for c in r.criteria if c.verdict is Verdict.FAIL) if r else 0
            warns = sum(1 for c in r.criteria if c.verdict is Verdict.WARN) if r else 0
            link = review_files.get(d.path, "")
            lines.append(
                f"| {md_code_cell(d.path)} | {d.kind.value} | {d.words} | {fails} | {warns} | {md_code_cell(link)} |"
            )
        lines.append("")
    else:
        lines += ["No document could be reviewed.", ""]
    if app.failures:
        lines += ["## Not reviewed", ""]
        lines += [f"- {md_text(printable(f.error))}" for f in app.failures]
        lines.append("")
    lines += _body(app.criteria, app.findings, {})
    return "\n".join(lines).rstrip() + "\n"


def advice_sections(review: Review, document: Document) -> list[str]:
    """What's working (quoted), the suggested rewrite of the score discussion, and the comments that did not
    fit on the annotated draft (its per-document cap): the same advice the DOCX and HTML reviews show."""
    from .advice import advise, outline_lines

    advice = advise(review, document)
    lines: list[str] = []
    if advice.working:
        lines += ["## What's working", ""]
        lines += [f"- **{md_text(s.title)}:** “{md_text(s.quote)}”" for s in advice.working]
        lines.append("")
    if advice.rewrite is not None:  # the outline quotes the draft: escaped like every applicant text
        lead, *steps = outline_lines(advice.rewrite)
        lines += ["## Suggested rewrite of your score discussion", "", md_text(lead), "",
                  *(md_text(step) if step else "" for step in steps), ""]
    if advice.more:
        lines += ["## More points", "", "The annotated draft shows the most important comments; these are the rest.",
                  ""]
        for c in advice.more:
            on = " ".join(document.text[c.start : c.end].split())
            lines += [f"- On “{md_text(on[:120])}”:", ""]
            lines += [f"  {md_text(line)}" if line else "" for line in c.text.splitlines()]
            lines.append("")
    return lines
