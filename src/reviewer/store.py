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

Identity: each applicant id is recorded with the exact name of the cohort folder it was given to
(``applicants.folder``, unique), so an id is never handed to another folder (see
:mod:`reviewer.cohort.identity`). Stores written before that (schema 1) are upgraded in place: their
ids have no folder until a batch claims them.

Integrity: a store that is empty (0 bytes), not an SQLite file, truncated or damaged is refused with a
:class:`~reviewer.errors.StoreError`, never replaced: replacing it would throw away every revision
history without a word. ``PRAGMA quick_check`` runs at every open (tens of milliseconds for 50 MB). Any
SQLite failure later (disk full, a read-only disk, damage found while reading) is a ``StoreError`` too,
one line naming the file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import InputError, StoreError, short_name
from .findings import Change, Review, Verdict

DB_NAME = "reviewer.sqlite"
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"
_RESTORE_HINT = ("nothing was changed: restore reviewer.sqlite from a backup, or move it away to start a new "
                 "revision history")

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
    application_digest TEXT,
    folder TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS applicants_by_folder ON applicants (folder);
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

_UPGRADE = {  # from version n to n + 1
    1: "ALTER TABLE applicants ADD COLUMN folder TEXT;\n"
       "CREATE UNIQUE INDEX IF NOT EXISTS applicants_by_folder ON applicants (folder);",
}

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
    """The review rounds of one output folder. Use as a context manager, or ``open`` / ``close``.

    Every public method turns an SQLite failure into a :class:`~reviewer.errors.StoreError`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, version: int = SCHEMA_VERSION) -> None:
        self._conn = conn
        self.path = path
        self.version = version

    # -- lifecycle -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, out: Path, *, create: bool = True, readonly: bool = False) -> Store:
        """Open ``<out>/reviewer.sqlite``, creating it when ``create`` (else a missing store is an InputError).

        An existing store is checked first (:func:`check_store_file`, then ``PRAGMA quick_check``) and
        upgraded to the current schema; a damaged one raises :class:`StoreError` and is left as it is.
        ``readonly`` (``history``, dry runs): nothing is written, not even an upgrade."""
        path = out / DB_NAME
        existed = path.exists()
        if (not create or readonly) and not existed:
            raise InputError("no review store here", path=out, hint=f"run `reviewer batch COHORT --out {out}` first")
        if existed:
            check_store_file(path)
        if not readonly:
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError.from_os(exc, out, doing="cannot create the output folder") from exc
        conn: sqlite3.Connection | None = None
        try:
            if readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            else:
                if not existed:
                    _create_private(path)
                conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if existed:
                _quick_check(conn, path)
            if readonly:
                return cls(conn, path, _readable_version(conn, path))
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # in WAL: durable across a killed process
            conn.execute("PRAGMA foreign_keys = ON")
            _prepare_schema(conn, path)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.Error):
                raise store_error(exc, path, doing="cannot open the review store") from exc
            raise
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
        with self._errors("cannot write the review store"):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                with suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _errors(self, doing: str = "cannot read the review store") -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, doing=doing) from exc

    # -- runs ----------------------------------------------------------------------------------------

    def start_run(self, cohort: Path | str, *, rubric_digest: str, engine_digest: str) -> int:
        with self._tx() as c:
            cur = c.execute("INSERT INTO runs (started_at, cohort, rubric_digest, engine_digest) VALUES (?, ?, ?, ?)",
                            (now(), _text(str(cohort)), rubric_digest, engine_digest))
            return int(cur.lastrowid or 0)

    def finish_run(self, run: int, status: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE runs SET finished_at = ?, status = ? WHERE id = ?", (now(), status, run))

    # -- applicants ----------------------------------------------------------------------------------

    def ensure_applicant(self, applicant: str, name: str) -> None:
        with self._tx() as c:
            self._upsert_applicant(c, applicant, name)

    @staticmethod
    def _upsert_applicant(c: sqlite3.Connection, applicant: str, name: str) -> None:
        c.execute("INSERT INTO applicants (id, name, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT(id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
                  (applicant, short_name(name), now()))

    def folders(self) -> dict[str, str | None]:
        """Every applicant id with the folder it belongs to (None: recorded before folders were)."""
        with self._errors():
            if self.version < 2:  # a schema-1 store opened read-only
                return {r[0]: None for r in self._conn.execute("SELECT id FROM applicants").fetchall()}
            return {r[0]: r[1] for r in self._conn.execute("SELECT id, folder FROM applicants").fetchall()}

    def claim(self, folders: Mapping[str, str], names: Mapping[str, str] | None = None) -> None:
        """Record ``folders`` (id -> folder key) for good: a new id gets a row (its display name from
        ``names``, else the folder), an id recorded without a folder gets this one. An id that already has
        another folder, or a folder already held by another id, is a :class:`StoreError` (the identity
        rules never ask for that; the store refuses rather than merge two applicants' histories)."""
        names = names or {}
        with self._tx() as c:
            for ident, folder in folders.items():
                row = c.execute("SELECT folder FROM applicants WHERE id = ?", (ident,)).fetchone()
                if row is not None and row[0] == folder:
                    continue
                if row is not None and row[0] is not None:
                    raise StoreError(f"applicant id '{ident}' already belongs to another folder", path=self.path,
                                     hint="this is a bug in reviewer: please report it")
                try:
                    if row is None:
                        c.execute("INSERT INTO applicants (id, name, updated_at, folder) VALUES (?, ?, ?, ?)",
                                  (ident, short_name(names.get(ident) or folder), now(), folder))
                    else:
                        c.execute("UPDATE applicants SET folder = ? WHERE id = ?", (folder, ident))
                except sqlite3.IntegrityError as exc:
                    raise StoreError(f"folder of applicant id '{ident}' is recorded for another id", path=self.path,
                                     hint="this is a bug in reviewer: please report it") from exc

    def applicant(self, applicant: str) -> tuple[str, str | None] | None:
        """(display name, folder) recorded for ``applicant``; None when it is unknown."""
        with self._errors():
            folder = "folder" if self.version >= 2 else "NULL"
            row = self._conn.execute(f"SELECT name, {folder} FROM applicants WHERE id = ?", (applicant,)).fetchone()
        return (row[0], row[1]) if row else None

    def find(self, query: str) -> tuple[str, str] | None:
        """(id, display name) of the applicant ``query`` names: its id, else its folder's exact name, else its
        display name (the last two case-insensitive); None when there is none."""
        with self._errors():
            folder = "folder" if self.version >= 2 else "NULL"
            rows = self._conn.execute(f"SELECT id, name, {folder} FROM applicants ORDER BY id").fetchall()
        wanted = query.casefold()
        for column, fold in ((0, False), (0, True), (2, False), (2, True), (1, True)):
            for row in rows:
                value = row[column]
                if value is not None and (value.casefold() == wanted if fold else value == query):
                    return row[0], row[1]
        return None

    def runs(self, applicant: str) -> int:
        """In how many batch runs some document of ``applicant`` was reviewed (rounds recorded without a
        run count as one run per round number)."""
        with self._errors():
            row = self._conn.execute(
                "SELECT COUNT(DISTINCT run), COALESCE(MAX(CASE WHEN run IS NULL THEN round END), 0) "
                "FROM rounds WHERE applicant = ?", (applicant,)).fetchone()
        return int(row[0]) + int(row[1])

    def application_digest(self, applicant: str) -> str | None:
        """What the applicant's last application-level review was computed from (see the cohort runner)."""
        with self._errors():
            row = self._conn.execute("SELECT application_digest FROM applicants WHERE id = ?",
                                     (applicant,)).fetchone()
        return row[0] if row else None

    def set_application_digest(self, applicant: str, name: str, digest: str) -> None:
        with self._tx() as c:
            self._upsert_applicant(c, applicant, name)
            c.execute("UPDATE applicants SET application_digest = ? WHERE id = ?", (digest, applicant))

    # -- rounds --------------------------------------------------------------------------------------

    def latest(self, applicant: str, document: str) -> StoredRound | None:
        with self._errors():
            row = self._conn.execute(
                f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? AND document = ? "
                "ORDER BY round DESC LIMIT 1", (applicant, document)).fetchone()
        return self._round(row) if row else None

    def latest_rounds(self, applicant: str) -> dict[str, StoredRound]:
        """The latest round of every document of ``applicant`` (one query)."""
        with self._errors():
            rows = self._conn.execute(
                f"SELECT {_ROUND_COLUMNS} FROM rounds r WHERE applicant = ? AND round = "
                "(SELECT MAX(round) FROM rounds WHERE applicant = r.applicant AND document = r.document)",
                (applicant,)).fetchall()
        return {row[1]: self._round(row) for row in rows}

    def review(self, applicant: str, document: str, number: int | None = None) -> Review | None:
        """The stored review of one round (the latest when ``number`` is None). A review that no longer
        parses (written by another version) raises ``ValueError``."""
        with self._errors():
            if number is None:
                row = self._conn.execute("SELECT review FROM rounds WHERE applicant = ? AND document = ? "
                                         "ORDER BY round DESC LIMIT 1", (applicant, document)).fetchone()
            else:
                row = self._conn.execute("SELECT review FROM rounds WHERE applicant = ? AND document = ? "
                                         "AND round = ?", (applicant, document, number)).fetchone()
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
        fails = sum(v == Verdict.FAIL.value for v in verdicts.values())
        warns = sum(v == Verdict.WARN.value for v in verdicts.values())
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
                        (run, review.document.text_digest, json.dumps(verdicts), fails, warns, counts["resolved"],
                         counts["persisting"], counts["new"],
                         json.dumps(added_usage(self._json(row[5]), spent)), now(), review.model_dump_json(),
                         applicant, document, row[0]))
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
                 json.dumps(verdicts), fails, warns, counts["resolved"], counts["persisting"],
                 counts["new"], json.dumps(spent), now(), review.model_dump_json()))
            return number

    def record_failure(self, applicant: str, document: str | None, error: str, *, run: int | None = None) -> None:
        with self._tx() as c:
            c.execute("INSERT INTO failures (run, applicant, document, error, created_at) VALUES (?, ?, ?, ?, ?)",
                      (run, applicant, None if document is None else _text(document), _text(error), now()))

    def delete_applicant(self, applicant: str) -> dict[str, int]:
        """Delete everything stored about ``applicant`` (rounds with their reviews and usage, failures, the
        applicant row) in one transaction; return the number of rows deleted per table.

        ``secure_delete`` overwrites the freed pages and the WAL is checkpointed and truncated afterwards,
        so the deleted reviews do not linger in the database files.
        """
        with self._errors("cannot write the review store"):
            self._conn.execute("PRAGMA secure_delete = ON")
        with self._tx() as c:
            counts = {table: c.execute(f"DELETE FROM {table} WHERE {column} = ?", (applicant,)).rowcount
                      for table, column in (("rounds", "applicant"), ("failures", "applicant"), ("applicants", "id"))}
        with suppress(sqlite3.Error):  # a reader holds the WAL: it is truncated at the next checkpoint
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def text_digests(self, applicant: str) -> set[str]:
        """The digests of every document text reviewed for ``applicant`` (what its model-cache entries record)."""
        with self._errors():
            rows = self._conn.execute("SELECT DISTINCT text_digest FROM rounds WHERE applicant = ?",
                                      (applicant,)).fetchall()
        return {r[0] for r in rows}

    def cohorts(self, applicant: str) -> list[str]:
        """The cohort folders of the runs that reviewed ``applicant``, most recent first (the latest run's
        when none of its rounds names a run)."""
        with self._errors():
            rows = self._conn.execute(
                "SELECT cohort FROM runs WHERE id IN (SELECT run FROM rounds WHERE applicant = ?) "
                "GROUP BY cohort ORDER BY MAX(id) DESC", (applicant,)).fetchall()
            if not rows:
                rows = self._conn.execute("SELECT cohort FROM runs ORDER BY id DESC LIMIT 1").fetchall()
        return [r[0] for r in rows]

    # -- reading -------------------------------------------------------------------------------------

    def applicants(self) -> list[tuple[str, str]]:
        """(id, display name) of every applicant with a recorded round, by id."""
        with self._errors():
            return [(r[0], r[1]) for r in self._conn.execute("SELECT id, name FROM applicants ORDER BY id")]

    def rounds(self, applicant: str, document: str | None = None) -> list[StoredRound]:
        """Every round of ``applicant`` (of one document when given), by document then round."""
        with self._errors():
            if document is None:
                rows = self._conn.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? "
                                          "ORDER BY document, round", (applicant,)).fetchall()
            else:
                rows = self._conn.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE applicant = ? "
                                          "AND document = ? ORDER BY round", (applicant, document)).fetchall()
        return [self._round(r) for r in rows]

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
        with self._errors():
            return [StoredFailure(*r) for r in self._conn.execute(sql + " ORDER BY id", args).fetchall()]

    def latest_run(self) -> int:
        """The id of the most recent run (0 before the first)."""
        with self._errors():
            return int(self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0])

    def count_rounds(self) -> int:
        with self._errors():
            return int(self._conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])

    def _round(self, row: tuple[Any, ...]) -> StoredRound:
        (applicant, document, number, run, kind, sha, text, rubric, engine, context, verdicts, fails, warns,
         resolved, persisting, new, usage, created) = row
        return StoredRound(applicant, document, int(number), run, kind, sha, text, rubric, engine, context,
                           self._json(verdicts), int(fails), int(warns), int(resolved), int(persisting), int(new),
                           self._json(usage), created)

    def _json(self, text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            value = None
        if not isinstance(value, dict):
            raise StoreError("the review store is damaged (a round's recorded values are not readable)",
                             path=self.path, hint=_RESTORE_HINT)
        return value


def _create_private(path: Path) -> None:
    """Create the empty store file readable and writable by its owner only: it keeps the applicants' reviews,
    which quote their drafts. SQLite gives its -wal and -shm files the database file's mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise StoreError.from_os(exc, path, doing="cannot create the review store") from exc


def check_store_file(path: Path) -> None:
    """Refuse a store file that cannot be a healthy store, before SQLite opens it: empty (SQLite would
    take a 0-byte file for a new database, and the history would be gone without a word), not an SQLite
    file, or shorter than its header says (truncated)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StoreError.from_os(exc, path, doing="cannot read the review store") from exc
    if size == 0:
        raise StoreError("the review store is empty (0 bytes): its revision history is gone", path=path,
                         hint=_RESTORE_HINT)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreError("this is not a review store (not an SQLite database)", path=path, hint=_RESTORE_HINT)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages and size < pages * page_size:  # the header's page count is valid
        raise StoreError(f"the review store is truncated ({size} of {pages * page_size} bytes)", path=path,
                         hint=_RESTORE_HINT)


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        raise StoreError("the review store is damaged (SQLite's quick_check fails)", path=path, hint=_RESTORE_HINT)


def _readable_version(conn: sqlite3.Connection, path: Path) -> int:
    """The schema of a store opened read-only: one this reviewer can read, or a :class:`StoreError`."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"the review store was written by a newer reviewer (schema {version})",
                         path=path, hint="upgrade reviewer")
    if version < 1:
        raise StoreError("this SQLite database is not a review store", path=path, hint="pass a batch --out folder")
    return version


def _prepare_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema in a new store, upgrade an older one, refuse a newer one or someone else's database."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(f"the review store was written by a newer reviewer (schema {version})",
                         path=path, hint="upgrade reviewer or choose another --out folder")
    if version == SCHEMA_VERSION:
        return
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and tables:
        raise StoreError("this SQLite database is not a review store", path=path,
                         hint="choose another --out folder, or move the file away")
    conn.execute("BEGIN IMMEDIATE")
    try:
        scripts = [_SCHEMA] if version == 0 else [_UPGRADE[step] for step in range(version, SCHEMA_VERSION)]
        for script in scripts:  # statement by statement: executescript would commit the transaction
            for statement in filter(str.strip, script.split(";\n")):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_CORRUPT = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_SEQUENCE",
                      "SQLITE_CORRUPT_VTAB", "SQLITE_IOERR_SHORT_READ"})


def store_error(exc: sqlite3.Error, path: Path, *, doing: str) -> StoreError:
    """One line for an SQLite failure: damage, a full or read-only disk, or a busy store."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name in _CORRUPT or "malformed" in str(exc) or "not a database" in str(exc):
        return StoreError(f"the review store is damaged ({exc})", path=path, hint=_RESTORE_HINT)
    if name.startswith("SQLITE_FULL"):
        return StoreError(f"{doing}: the disk is full", path=path, hint="free some disk space and run again")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoreError(f"{doing}: {exc}", path=path, hint="check that the folder and the file are writable")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return StoreError(f"{doing}: {exc}", path=path, hint="another reviewer process is using it: try again")
    return StoreError(f"{doing}: {exc}", path=path, hint="check the disk, then run again")


def _text(value: str) -> str:
    """Text SQLite can store: a lone surrogate (an undecodable file name) would fail to encode."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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


__all__ = ["DB_NAME", "Digests", "Store", "StoredFailure", "StoredRound", "added_usage", "check_store_file",
           "fallback_count", "now", "review_usage", "store_error"]
