"""SQLite storage of a study: one file, written by one process, one transaction per trial.

The file is in WAL mode with ``synchronous=NORMAL``: a committed trial survives the process being
killed (``kill -9``) at any point; only an operating-system crash or power loss can lose the last
commits. A trial row and the state of every plugin after that trial are written in the same
transaction, so the stored state always matches the stored trials and ``--resume`` continues
exactly where the file ends. The writer holds an exclusive ``flock`` on the file for its
lifetime, so a second search on the same file is refused instead of interleaving.

A plugin state is stored as data (:mod:`nas_core.state_codec`: JSON and arrays, nothing that runs
code when read), except for the :class:`~nas_core.append_log.AppendLog` lists in it: their
entries are rows of ``plugin_log``, each encoded alike, and each trial adds only the new ones.
That is schema 3. Files of schemas 1 and 2 hold pickled states: their trials, meta and artifacts
are read as ever, their states never (unpickling runs whatever the bytes say), so they cannot be
resumed.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nas_core import state_codec
from nas_core.append_log import AppendLog
from nas_core.errors import PluginError, StorageError

APPLICATION_ID = int.from_bytes(b"NASs", "big")  # marks a file as a nas study
SCHEMA_VERSION = 3
DATA_STATES = 3  # the first schema whose plugin states are data, not pickles
MEMORY = ":memory:"

_SCHEMA = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE trials (
    trial_id INTEGER PRIMARY KEY,
    arch_key TEXT NOT NULL,
    candidate TEXT NOT NULL,
    status TEXT NOT NULL,
    objective REAL,
    result TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    wall_seconds REAL NOT NULL
)""",
    "CREATE TABLE plugin_state (name TEXT PRIMARY KEY, state BLOB NOT NULL)",
    """CREATE TABLE plugin_log (
    name TEXT NOT NULL,
    log TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry BLOB NOT NULL,
    PRIMARY KEY (name, log, seq)
)""",
    "CREATE TABLE artifacts (trial_id INTEGER NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (trial_id, name))",
)


@dataclass(frozen=True)
class TrialRow:
    """A trial as stored: JSON for the candidate and result, plus the cumulative wall time."""

    trial_id: int
    candidate: dict[str, Any]
    result: dict[str, Any]
    started: float
    finished: float
    wall_seconds: float


class StudyStorage:
    def __init__(self, path: str, conn: sqlite3.Connection, lock_fd: int | None, schema: int) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd = lock_fd
        self._schema = schema
        self._saved_states: dict[str, bytes] = {}
        self._saved_logs: dict[tuple[str, str], int] = {}  # (plugin, log key) -> entries in the file
        self._wal = False

    @property
    def persistent(self) -> bool:
        """A study file (resumable), not an in-memory study."""
        return self.path != MEMORY

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], meta: Mapping[str, Any]) -> StudyStorage:
        """A new study file; refuses to touch an existing file."""
        target = str(path)
        if target != MEMORY:
            if Path(target).exists():
                raise StorageError(f"{target} already exists: pass --resume to continue it, or choose another --storage")
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: of two searches racing to create the same file, exactly one wins.
            try:
                os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                raise StorageError(f"{target} already exists: pass --resume to continue it, or choose another --storage") from None
            except OSError as exc:
                raise StorageError(f"cannot create {target}: {exc.strerror}") from None
        storage = cls._connect(target, writer=True, new=True)
        with storage._transaction() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
            )
        return storage

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, writer: bool = True) -> StudyStorage:
        """An existing study file; a writer (to resume it) also takes the file's lock, and is
        refused a file whose states were pickled by an older nas."""
        target = str(path)
        if not Path(target).is_file():
            raise StorageError(f"no study file at {target}")
        storage = cls._connect(target, writer=writer)
        if writer:
            try:
                storage._require_data_states()
            except StorageError:
                storage.close()
                raise
        return storage

    @classmethod
    def _connect(cls, path: str, *, writer: bool, new: bool = False) -> StudyStorage:
        on_disk = path != MEMORY
        if on_disk and not new:
            _check_header(path)
        lock_fd = _lock(path) if writer and on_disk else None
        try:
            if writer or not on_disk:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            else:
                _roll_back_hot_journal(path)
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 5000")
            schema = SCHEMA_VERSION
            if not new:
                # Read through the WAL (the file header may not be checkpointed yet) before
                # anything could write to a file that is not ours.
                (app_id,) = conn.execute("PRAGMA application_id").fetchone()
                (schema,) = conn.execute("PRAGMA user_version").fetchone()
                if app_id != APPLICATION_ID:
                    conn.close()
                    raise StorageError(f"{path} is an SQLite file of another application, not a nas study; refusing to use it")
                if schema > SCHEMA_VERSION:
                    conn.close()
                    raise StorageError(f"{path} was written by a newer nas (schema {schema}); upgrade nas-core to read it")
        except sqlite3.Error as exc:
            if lock_fd is not None:
                os.close(lock_fd)
            raise StorageError(f"{path} is not a nas study or is corrupt ({exc}); refusing to use it") from None
        except StorageError:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return cls(path, conn, lock_fd, schema)

    def close(self) -> None:
        if self._wal and self.path != MEMORY:
            # Leave a single self-contained file behind (no -wal/-shm beside it), so readers
            # need no write access; --resume switches back to WAL. Best effort: a reader that
            # is still open keeps the file in WAL mode, which is just as correct.
            try:
                self._conn.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.Error:
                pass
        self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[None]:
        """The reads inside see one state of the file (a search's commits meanwhile are not
        seen): one read transaction, which in WAL mode never holds the writer up."""
        self._select("BEGIN")
        try:
            yield
        finally:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def _select(self, query: str) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(query).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path} is not a readable nas study: {exc}") from None

    def meta(self) -> dict[str, Any]:
        return {key: json.loads(value) for key, value in self._select("SELECT key, value FROM meta")}

    def trials(self, from_id: int | None = None) -> Iterator[TrialRow]:
        """The trials in id order; with ``from_id``, only those whose id is at least that. They
        are read when this is called (inside a :meth:`reading`, say) and decoded when first iterated."""
        query = "SELECT trial_id, candidate, result, started, finished, wall_seconds FROM trials"
        if from_id is not None:
            query += f" WHERE trial_id >= {int(from_id)}"
        return _decoded_rows(self._select(query + " ORDER BY trial_id"))

    def trial_count(self) -> tuple[int, int | None]:
        """How many trials are recorded, and the highest id among them (None for none)."""
        ((count, highest),) = self._select("SELECT count(*), max(trial_id) FROM trials")
        return count, highest

    def trial_ids(self) -> list[int]:
        """The ids of the recorded trials (read from the table's key alone: cheap)."""
        return [trial_id for (trial_id,) in self._select("SELECT trial_id FROM trials")]

    def artifacts(self) -> tuple[int, dict[str, bytes]] | None:
        """The kept artifacts (the best trial's) and whose they are, or None."""
        rows = self._select("SELECT trial_id, name, data FROM artifacts")
        if not rows:
            return None
        return rows[0][0], {name: bytes(data) for _, name, data in rows}

    def states(self) -> dict[str, Any]:
        """Every plugin's state as stored with the last trial (never from a pickle: see the module)."""
        self._require_data_states()
        rows = self._select("SELECT name, state FROM plugin_state")
        self._saved_states = {name: bytes(blob) for name, blob in rows}
        logs: dict[str, dict[str, AppendLog]] = {}
        for name, key, entry in self._select("SELECT name, log, entry FROM plugin_log ORDER BY name, log, seq"):
            logs.setdefault(name, {}).setdefault(key, AppendLog(key)).append(self._decode(entry, name))
        self._saved_logs = {(name, key): len(log) for name, found in logs.items() for key, log in found.items()}
        return {name: self._decode(blob, name, logs.get(name, {})) for name, blob in self._saved_states.items()}

    def _decode(self, blob: bytes, name: str, logs: Mapping[str, AppendLog] | None = None) -> Any:
        try:
            return state_codec.decode(blob, logs)
        except state_codec.Malformed as exc:
            raise StorageError(
                f"{self.path}: the stored state of '{name}' is corrupt or not written by nas ({exc}); "
                "it cannot be resumed"
            ) from None

    def _require_data_states(self) -> None:
        if self._schema < DATA_STATES:
            raise StorageError(
                f"{self.path} was written by an older nas (study schema {self._schema}, plugin states pickled): "
                "nas show, plot and export read it, but it cannot be resumed; start a new study instead"
            )

    # -- writing ---------------------------------------------------------------------------------
    def write_trial(
        self,
        row: TrialRow,
        arch_key: str,
        status: str,
        objective: float | None,
        states: Mapping[str, Any],
        meta: Mapping[str, Any] | None = None,
        artifacts: Mapping[str, bytes] | None = None,
    ) -> None:
        """The trial, every changed plugin state and meta updates, atomically.

        ``artifacts``, when given, replace the ones kept so far (the study keeps one trial's).
        """
        blobs: dict[str, bytes] = {}
        logs: dict[tuple[str, str], tuple[AppendLog, str]] = {}
        for name, state in states.items():
            found: dict[str, tuple[AppendLog, str]] = {}
            blobs[name] = _encode(name, state, found)
            logs.update(((name, key), log) for key, log in found.items())
        changed = [(n, b) for n, b in blobs.items() if self._saved_states.get(n) != b]
        rewritten = [where for where, (log, _) in logs.items() if len(log) < self._saved_logs.get(where, 0)]
        appended = [
            (name, key, seq, _encode(name, log[seq], at=f"{at}[{seq}]"))
            for (name, key), (log, at) in logs.items()
            for seq in range(0 if (name, key) in rewritten else self._saved_logs.get((name, key), 0), len(log))
        ]
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.trial_id,
                    arch_key,
                    json.dumps(row.candidate),
                    status,
                    objective,
                    json.dumps(row.result),
                    row.started,
                    row.finished,
                    row.wall_seconds,
                ),
            )
            if changed:
                conn.executemany("INSERT OR REPLACE INTO plugin_state VALUES (?, ?)", changed)
            if rewritten:
                conn.executemany("DELETE FROM plugin_log WHERE name = ? AND log = ?", rewritten)
            if appended:
                conn.executemany("INSERT INTO plugin_log VALUES (?, ?, ?, ?)", appended)
            if meta:
                conn.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
                )
            if artifacts:
                conn.execute("DELETE FROM artifacts")
                conn.executemany(
                    "INSERT INTO artifacts VALUES (?, ?, ?)", [(row.trial_id, k, v) for k, v in artifacts.items()]
                )
        self._saved_states.update(changed)
        self._saved_logs.update((where, len(log)) for where, (log, _) in logs.items())

    def set_meta(self, **values: Any) -> None:
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in values.items()]
            )

    def _transaction(self) -> _Transaction:
        if not self._wal:
            # WAL only once something is written: a refused run leaves the file byte-identical.
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._wal = True
        return _Transaction(self._conn, self.path)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            try:
                self._conn.execute("COMMIT")
                return
            except sqlite3.Error as error:
                self._conn.execute("ROLLBACK")
                raise StorageError(f"cannot write {self._path}: {error}") from None
        self._conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StorageError(f"cannot write {self._path}: {exc}") from None


def _roll_back_hot_journal(path: str) -> None:
    """A writer killed while :meth:`StudyStorage.close` switched the file out of WAL leaves a hot
    rollback journal, which only a read-write connection may roll back: until then every
    read-only open fails. Opening read-write once restores the last committed state, as SQLite
    does on any read-write open (found by benchmarks/fault_soak.py, 3 of 110 killed runs)."""
    journal = Path(path + "-journal")
    if not (journal.is_file() and journal.stat().st_size > 0 and os.access(path, os.W_OK)):
        return
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA schema_version").fetchone()
    finally:
        conn.close()


def _decoded_rows(fetched: list[tuple[Any, ...]]) -> Iterator[TrialRow]:
    """Trial rows from the stored columns, their JSON decoded when first iterated. All of them in
    one document, which takes about half the time of one call per text (a study of 20,000
    trials is read twice as fast); a text that is not one JSON object each is decoded alone,
    which says where it is malformed."""
    if not fetched:
        return
    try:
        texts = json.loads("[" + ",".join(f"{candidate},{result}" for _, candidate, result, *_ in fetched) + "]")
    except ValueError:
        texts = None
    if not isinstance(texts, list) or len(texts) != 2 * len(fetched) or not all(isinstance(t, dict) for t in texts):
        texts = [json.loads(text) for _, candidate, result, *_ in fetched for text in (candidate, result)]
    for k, (trial_id, _, _, started, finished, wall) in enumerate(fetched):
        yield TrialRow(trial_id, texts[2 * k], texts[2 * k + 1], started, finished, wall)


def held_by_a_writer(path: str | os.PathLike[str]) -> bool | None:
    """Whether a search holds the study file's lock now, read from the kernel's list of locks
    (``/proc/locks``, Linux) without touching the lock itself: trying to take it, even shared and
    for a moment, could make a search that starts at that moment refuse the file. None where the
    kernel does not say (another system)."""
    try:
        stat = os.stat(path)
        with open("/proc/locks") as handle:
            locks = handle.read().splitlines()
    except OSError:
        return None
    wanted = (os.major(stat.st_dev), os.minor(stat.st_dev), stat.st_ino)
    for line in locks:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 3371 fe:00:2148552 0 EOF" (blocked waiters have "->" after the number)
        if len(fields) < 6 or "FLOCK" not in fields[:3]:
            continue
        device = next((f for f in fields if f.count(":") == 2), None)
        if device is None:
            continue
        major, minor, inode = device.split(":")
        try:
            if (int(major, 16), int(minor, 16), int(inode)) == wanted:
                return True
        except ValueError:
            continue
    return False


def _check_header(path: str) -> None:
    """Refuse files that are not SQLite at all before SQLite opens them, so nothing is modified.

    Whether an SQLite file is a nas study is read through SQLite (``PRAGMA application_id``):
    the header on disk lags behind while a study is being written in WAL mode.
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    if header and header != b"SQLite format 3\x00":
        raise StorageError(f"{path} is not a nas study (not an SQLite file); refusing to use it")


def _lock(path: str) -> int:
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StorageError(f"{path} is in use by another running nas search; wait for it or choose another --storage") from None
    return fd


def _encode(name: str, value: Any, logs: dict[str, tuple[AppendLog, str]] | None = None, at: str = "") -> bytes:
    """A plugin's state (or an entry of one of its append logs) as data, or a one-line refusal."""
    try:
        return state_codec.encode(value, logs, at)
    except state_codec.NotData as exc:
        raise PluginError(f"plugin state '{name}' holds {exc}: states must be data") from None
