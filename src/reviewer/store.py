"""The review store: one SQLite database per output folder (``<out>/reviewer.sqlite``) of review rounds.

Why SQLite (stdlib ``sqlite3``): a batch must survive being killed at any moment and a second run must
know, without re-reading any output, what is already done. Each recorded round is one short
transaction, so a kill loses at most the document in flight. WAL mode lets ``reviewer history`` read
while a batch writes; ``busy_timeout`` makes a second writer wait instead of failing at once.

What is stored per round of a (applicant, document): the digests that decide whether the document
must be reviewed again (source bytes, visible text, rubrics, engine, and the review context: kind and
target), the criterion verdicts, the revision counts, the usage, and the :class:`~reviewer.findings.Review`
as JSON (pydantic). The review holds the findings' quotes but never the document text, which is not
stored. Per applicant, the digest of what its last application-level review saw (documents and their
bytes, manifest, rubrics, engine) lets a run skip an applicant whole. Failures are a log per run.
Only one process (the batch's parent) writes.

Rounds are numbered 1, 2, ... per (applicant, document). :meth:`Store.record_round` is idempotent:
recording the same digests as the latest round returns that round's number and writes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import InputError, OutputError
from .findings import Change, Review, Verdict

DB_NAME = "reviewer.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    cohort TEXT NOT NULL,
    rubric_digest TEXT NOT NULL,
    engine_digest TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS applicants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    application_digest TEXT
);
CREATE TABLE IF NOT EXISTS rounds (
    applicant TEXT NOT NULL REFERENCES applicants(id),
    document TEXT NOT NULL,
    round INTEGER NOT NULL,
    run INTEGER REFERENCES runs(id),
    kind TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    text_digest TEXT NOT NULL,
    rubric_digest TEXT NOT NULL,
    engine_digest TEXT NOT NULL,
    context_digest TEXT NOT NULL,
    verdicts TEXT NOT NULL,
    fails INTEGER NOT NULL,
    warns INTEGER NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0,
    persisting INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    review TEXT NOT NULL,
    usage TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    PRIMARY KEY (applicant, document, round)
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    run INTEGER REFERENCES runs(id),
    applicant TEXT NOT NULL,
    document TEXT,
    error TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_by_applicant ON failures (applicant, document);
"""

_ROUND_COLUMNS = ("applicant, document, round, run, kind, source_sha256, text_digest, rubric_digest, engine_digest, "
                  "context_digest, verdicts, fails, warns, resolved, persisting, new, usage, created_at")


def now() -> str:
    """UTC, ISO 8601, seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Digests:
    """What a round's review depends on: if all four are equal, the review would come out the same."""

    source_sha256: str
    rubric: str
    engine: str
    context: str


@dataclass(frozen=True)
class StoredRound:
    """One recorded round (the review JSON is parsed only when asked for)."""

    applicant: str
    document: str
    round: int
    run: int | None
    kind: str
    source_sha256: str
    text_digest: str
    rubric_digest: str
    engine_digest: str
    context_digest: str
    verdicts: dict[str, str]
    fails: int
    warns: int
    resolved: int
    persisting: int
    new: int
    usage: dict[str, Any]
    created_at: str

    @property
    def digests(self) -> Digests:
        return Digests(self.source_sha256, self.rubric_digest, self.engine_digest, self.context_digest)

    @property
    def fallbacks(self) -> int | None:
        """Rubrics the model did not judge in this round (None: recorded before this was counted)."""
        value = self.usage.get("fallbacks")
        return int(value) if value is not None else None


@dataclass(frozen=True)
class StoredFailure:
    run: int | None
    applicant: str
    document: str | None
    error: str
    created_at: str


class Store:
    """The review rounds of one output folder. Use as a context manager, or ``open`` / ``close``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    # -- lifecycle -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, out: Path, *, create: bool = True) -> Store:
        """Open ``<out>/reviewer.sqlite``, creating it when ``create`` (else a missing store is an InputError)."""
        path = out / DB_NAME
        if not create and not path.is_file():
            raise InputError("no review store here", path=out, hint=f"run `reviewer batch COHORT --out {out}` first")
        try:
            out.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # in WAL: durable across a killed process
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                conn.close()
                raise OutputError(f"the review store was written by a newer reviewer (schema {version})",
                                  path=path, hint="upgrade reviewer or choose another --out folder")
            if version < SCHEMA_VERSION:  # a new store (opening an existing one writes nothing)
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise OutputError(f"cannot open the review store: {exc}", path=path,
                              hint="is it a reviewer.sqlite file, on a writable local disk?") from exc
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taking the write lock up front (no upgrade deadlocks)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise OutputError(f"cannot write the review store: {exc}", path=self.path) from exc
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- runs ----------------------------------------------------------------------------------------

    def start_run(self, cohort: Path | str, *, rubric_digest: str, engine_digest: str) -> int:
        with self._tx() as c:
            cur = c.execute("INSERT INTO runs (started_at, cohort, rubric_digest, engine_digest) VALUES (?, ?, ?, ?)",
                            (now(), str(cohort), rubric_digest, engine_digest))
            return int(cur.lastrowid or 0)

    def finish_run(self, run: int, status: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE runs SET finished_at = ?, status = ? WHERE id = ?", (now(), status, run))

    # -- rounds --------------------------------------------------------------------------------------

    def ensure_applicant(self, applicant: str, name: str) -> None:
        with self._tx() as c:
            self._upsert_applicant(c, applicant, name)

    @staticmethod
    def _upsert_applicant(c: sqlite3.Connection, applicant: str, name: str) -> None:
        c.execute("INSERT INTO applicants (id, name, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
                  (applicant, name, now()))

    def application_digest(self, applicant: str) -> str | None:
        """What the applicant's last application-level review was computed from (see the cohort runner)."""
        row = self._conn.execute("SELECT application_digest FROM applicants WHERE id = ?", (applicant,)).fetchone()
        return row[0] if row else None

    def set_application_digest(self, applicant: str, name: str, digest: str) -> None:
        with self._tx() as c:
            self._upsert_applicant(c, applicant, name)
            c.execute("UPDATE applicants SET application_digest = ? WHERE id = ?", (digest, applicant))

    def latest(self, applicant: str, document: str) -> StoredRound | None:
        row = self._conn.execute(
            f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? AND document = ? ORDER BY round DESC LIMIT 1",
            (applicant, document)).fetchone()
        return _round(row) if row else None

    def latest_rounds(self, applicant: str) -> dict[str, StoredRound]:
        """The latest round of every document of ``applicant`` (one query)."""
        rows = self._conn.execute(
            f"SELECT {_ROUND_COLUMNS} FROM rounds r WHERE applicant = ? AND round = "
            "(SELECT MAX(round) FROM rounds WHERE applicant = r.applicant AND document = r.document)",
            (applicant,)).fetchall()
        return {row[1]: _round(row) for row in rows}

    def review(self, applicant: str, document: str, number: int | None = None) -> Review | None:
        """The stored review of one round (the latest when ``number`` is None)."""
        if number is None:
            row = self._conn.execute("SELECT review FROM rounds WHERE applicant = ? AND document = ? "
                                     "ORDER BY round DESC LIMIT 1", (applicant, document)).fetchone()
        else:
            row = self._conn.execute("SELECT review FROM rounds WHERE applicant = ? AND document = ? AND round = ?",
                                     (applicant, document, number)).fetchone()
        return Review.model_validate_json(row[0]) if row else None

    def record_round(self, applicant: str, document: str, review: Review, digests: Digests, *,
                     name: str | None = None, run: int | None = None,
                     usage: Mapping[str, Any] | None = None, replace: bool = False) -> int:
        """Record ``review`` as the next round of (applicant, document); return its round number.

        Idempotent: when the latest round has the same digests, nothing is written and its number is
        returned, unless ``replace``: then ``review`` replaces that round's review (a retry of the rubrics
        that fell back to the rules: same draft, same round) and its usage is added to the round's.
        ``review.revision`` (if any) supplies the resolved/persisting/new counts, ``review.llm`` the usage
        (unless ``usage`` is given).
        """
        verdicts = {c.id: c.verdict.value for c in review.criteria}
        rev = review.revision
        counts = {c.value: len(rev.of(c)) if rev else 0 for c in Change}
        spent = dict(usage) if usage is not None else review_usage(review)
        with self._tx() as c:
            row = c.execute("SELECT round, source_sha256, rubric_digest, engine_digest, context_digest, usage "
                            "FROM rounds WHERE applicant = ? AND document = ? ORDER BY round DESC LIMIT 1",
                            (applicant, document)).fetchone()
            if row and Digests(row[1], row[2], row[3], row[4]) == digests:
                if replace:
                    c.execute(
                        "UPDATE rounds SET run = ?, text_digest = ?, verdicts = ?, fails = ?, warns = ?, resolved = ?, "
                        "persisting = ?, new = ?, usage = ?, created_at = ?, review = ? "
                        "WHERE applicant = ? AND document = ? AND round = ?",
                        (run, review.document.text_digest, json.dumps(verdicts),
                         sum(v == Verdict.FAIL.value for v in verdicts.values()),
                         sum(v == Verdict.WARN.value for v in verdicts.values()), counts["resolved"],
                         counts["persisting"], counts["new"], json.dumps(added_usage(json.loads(row[5]), spent)),
                         now(), review.model_dump_json(), applicant, document, row[0]))
                return int(row[0])
            number = (int(row[0]) if row else 0) + 1
            if name is None:
                c.execute("INSERT OR IGNORE INTO applicants (id, name, updated_at) VALUES (?, ?, ?)",
                          (applicant, applicant, now()))
            else:
                self._upsert_applicant(c, applicant, name)
            c.execute(
                f"INSERT INTO rounds ({_ROUND_COLUMNS}, review) VALUES ({', '.join('?' * 19)})",
                (applicant, document, number, run, review.document.kind.value, digests.source_sha256,
                 review.document.text_digest, digests.rubric, digests.engine, digests.context,
                 json.dumps(verdicts), sum(v == Verdict.FAIL.value for v in verdicts.values()),
                 sum(v == Verdict.WARN.value for v in verdicts.values()), counts["resolved"], counts["persisting"],
                 counts["new"], json.dumps(spent), now(),
                 review.model_dump_json()))
            return number

    def record_failure(self, applicant: str, document: str | None, error: str, *, run: int | None = None) -> None:
        with self._tx() as c:
            c.execute("INSERT INTO failures (run, applicant, document, error, created_at) VALUES (?, ?, ?, ?, ?)",
                      (run, applicant, document, error, now()))

    def delete_applicant(self, applicant: str) -> dict[str, int]:
        """Delete everything stored about ``applicant`` (rounds with their reviews and usage, failures, the
        applicant row) in one transaction; return the number of rows deleted per table.

        ``secure_delete`` overwrites the freed pages and the WAL is checkpointed and truncated afterwards,
        so the deleted reviews do not linger in the database files.
        """
        self._conn.execute("PRAGMA secure_delete = ON")
        with self._tx() as c:
            counts = {table: c.execute(f"DELETE FROM {table} WHERE {column} = ?", (applicant,)).rowcount
                      for table, column in (("rounds", "applicant"), ("failures", "applicant"), ("applicants", "id"))}
        with suppress(sqlite3.Error):  # a reader holds the WAL: it is truncated at the next checkpoint
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def text_digests(self, applicant: str) -> set[str]:
        """The digests of every document text reviewed for ``applicant`` (what its model-cache entries record)."""
        rows = self._conn.execute("SELECT DISTINCT text_digest FROM rounds WHERE applicant = ?", (applicant,))
        return {r[0] for r in rows}

    # -- reading -------------------------------------------------------------------------------------

    def applicants(self) -> list[tuple[str, str]]:
        """(id, display name) of every applicant with a recorded round, by id."""
        return [(r[0], r[1]) for r in self._conn.execute("SELECT id, name FROM applicants ORDER BY id")]

    def rounds(self, applicant: str, document: str | None = None) -> list[StoredRound]:
        """Every round of ``applicant`` (of one document when given), by document then round."""
        if document is None:
            rows = self._conn.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? "
                                      "ORDER BY document, round", (applicant,))
        else:
            rows = self._conn.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? AND document = ? "
                                      "ORDER BY round", (applicant, document))
        return [_round(r) for r in rows]

    def history(self, applicant: str) -> dict[str, list[StoredRound]]:
        """Rounds per document, each list oldest first (what ``reviewer history`` shows)."""
        out: dict[str, list[StoredRound]] = {}
        for r in self.rounds(applicant):
            out.setdefault(r.document, []).append(r)
        return out

    def failures(self, applicant: str | None = None, *, run: int | None = None) -> list[StoredFailure]:
        sql = "SELECT run, applicant, document, error, created_at FROM failures WHERE 1=1"
        args: list[Any] = []
        if applicant is not None:
            sql += " AND applicant = ?"
            args.append(applicant)
        if run is not None:
            sql += " AND run = ?"
            args.append(run)
        return [StoredFailure(*r) for r in self._conn.execute(sql + " ORDER BY id", args)]

    def latest_run(self) -> int:
        """The id of the most recent run (0 before the first)."""
        return int(self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0])

    def count_rounds(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])


def review_usage(review: Review) -> dict[str, Any]:
    """What a review cost: model calls, tokens and estimated USD, and how many rubrics fell back to the
    rules (empty for the rules engine)."""
    r = review.llm
    if r is None:
        return {}
    return {"model": r.model, "endpoint": r.endpoint, "api_calls": r.api_calls, "cached_calls": r.cached_calls,
            "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens, "cost_usd": r.cost_usd,
            "fallbacks": fallback_count(review)}


def fallback_count(review: Review) -> int:
    """Rubrics of ``review`` that the model did not judge (they fell back to the rules engine)."""
    return sum(1 for call in review.llm.calls if call.status == "fallback") if review.llm is not None else 0


_SUMMED = ("api_calls", "cached_calls", "prompt_tokens", "completion_tokens", "cost_usd")


def added_usage(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """A round's usage after a retry: calls, tokens and cost add up; the rest (fallbacks left) is the retry's."""
    merged = {**before, **after}
    for key in _SUMMED:
        values = [v for v in (before.get(key), after.get(key)) if v is not None]
        merged[key] = sum(values) if values else None
    return merged


def _round(row: tuple[Any, ...]) -> StoredRound:
    (applicant, document, number, run, kind, sha, text, rubric, engine, context, verdicts, fails, warns,
     resolved, persisting, new, usage, created) = row
    return StoredRound(applicant, document, int(number), run, kind, sha, text, rubric, engine, context,
                       json.loads(verdicts), int(fails), int(warns), int(resolved), int(persisting), int(new),
                       json.loads(usage), created)


__all__ = ["DB_NAME", "Digests", "Store", "StoredFailure", "StoredRound", "added_usage", "fallback_count", "now",
           "review_usage"]
