"""Study files: created once, never overwritten, refused when foreign, locked while searched."""

import hashlib
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nas_core.append_log import AppendLog
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import PluginError, StorageError
from nas_core.session import open_session
from nas_core.storage import StudyStorage, TrialRow
from nas_core.testing import require_data_dir
from planted import Planted


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row(trial_id: int) -> TrialRow:
    return TrialRow(trial_id, {"arch": {"kind": "x"}}, {"status": "complete", "objective": 1.0}, 0.0, 1.0, 2.0)


def test_create_write_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "s.db"
    storage = StudyStorage.create(path, {"spec": {"seed": 3}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {"strategy": {"rng": [1, 2]}}, {"duplicates": 2})
    storage.write_trial(row(1), "k1", "complete", 1.0, {"strategy": {"rng": [1, 2]}})
    storage.close()
    reader = StudyStorage.open(path, writer=False)
    assert [r.trial_id for r in reader.trials()] == [0, 1]
    assert reader.meta() == {"spec": {"seed": 3}, "duplicates": 2}
    assert reader.states() == {"strategy": {"rng": [1, 2]}}
    reader.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["s.db"]  # no -wal/-shm left behind


@pytest.mark.parametrize("texts", [('{"arch": {"kind": "x"}', '"status": "complete"}'), ('{"arch": {"kind": "x"}}, {}', '{}')])
def test_trial_texts_that_are_not_one_object_each_are_not_read_as_other_trials(tmp_path: Path, texts: tuple[str, str]) -> None:
    """Trials are decoded as one JSON document; texts that would join into valid JSON of another
    shape (an object split across two texts, two objects in one) are still an error."""
    path = tmp_path / "s.db"
    storage = StudyStorage.create(path, {"spec": {"seed": 3}})
    for k in range(3):
        storage.write_trial(row(k), f"k{k}", "complete", 1.0, {})
    storage.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE trials SET candidate = ?, result = ? WHERE trial_id = 1", texts)
    reader = StudyStorage.open(path, writer=False)
    with pytest.raises(ValueError):
        list(reader.trials())
    assert [r.result for r in reader.trials(from_id=2)] == [row(2).result]
    reader.close()


# A writer killed in the middle of a rollback-journal transaction, as a kill during close() is.
KILLED_MID_TRANSACTION = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=DELETE")
conn.execute("PRAGMA cache_size=1")  # spill pages into the file, so only the journal can undo them
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE half_written (x)")
conn.executemany("INSERT INTO half_written VALUES (?)", [(os.urandom(500),) for _ in range(200)])
os._exit(0)
"""


def test_a_study_whose_writer_was_killed_mid_journal_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    storage = StudyStorage.create(path, {"spec": {"seed": 3}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {})
    storage.close()
    subprocess.run([sys.executable, "-c", KILLED_MID_TRANSACTION, str(path)], check=True)
    assert Path(f"{path}-journal").stat().st_size > 0  # a hot journal a read-only open cannot undo
    reader = StudyStorage.open(path, writer=False)
    assert [r.trial_id for r in reader.trials()] == [0] and reader.meta() == {"spec": {"seed": 3}}
    reader.close()
    assert "half_written" not in {name for (name,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_text("precious")
    with pytest.raises(StorageError, match="already exists: pass --resume"):
        StudyStorage.create(path, {})
    assert path.read_text() == "precious"


@pytest.mark.parametrize("content", [b"not a database at all" * 10, b"SQLite format 3\x00" + b"\x00" * 10])
def test_files_that_are_not_studies_are_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(StorageError, match="not a nas study"):
        StudyStorage.open(path)
    assert digest(path) == before


def test_another_applications_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StorageError, match="another application"):
        StudyStorage.open(path)
    assert digest(path) == before


def test_a_second_writer_is_refused_while_readers_are_welcome(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    writer = StudyStorage.create(path, {"spec": {}})
    writer.write_trial(row(0), "k", "complete", 1.0, {})
    with pytest.raises(StorageError, match="in use by another running nas search"):
        StudyStorage.open(path)
    reader = StudyStorage.open(path, writer=False)
    assert len(list(reader.trials())) == 1
    reader.close()
    writer.close()
    StudyStorage.open(path).close()  # the lock went with the writer


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no study file at .*nope.db"):
        StudyStorage.open(tmp_path / "nope.db")


def test_a_failed_transaction_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    storage = StudyStorage.create(tmp_path / "s.db", {"spec": {}})
    storage.write_trial(row(0), "k", "complete", 1.0, {"p": 1})
    with pytest.raises(StorageError):
        storage.write_trial(row(0), "k", "complete", 1.0, {"p": 2})  # duplicate trial id
    assert [r.trial_id for r in storage.trials()] == [0]
    assert storage.states() == {"p": 1}
    storage.close()


def log_rows(path: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, log, seq FROM plugin_log ORDER BY name, log, seq").fetchall()


def test_an_append_log_is_stored_by_its_new_entries(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    storage = StudyStorage.create(path, {"spec": {}})
    log = AppendLog("told", [("a", 1.0), None])
    storage.write_trial(row(0), "k0", "complete", 1.0, {"p": {"log": log, "round": 1}})
    log.append(("b", 2.0))
    storage.write_trial(row(1), "k1", "complete", 1.0, {"p": {"log": log, "round": 2}})
    assert log_rows(path) == [("p", "told", 0), ("p", "told", 1), ("p", "told", 2)]  # each entry once
    restarted = AppendLog("told", [("c", 3.0)])  # a plugin that started its log anew
    storage.write_trial(row(2), "k2", "complete", 1.0, {"p": {"log": restarted, "round": 3}})
    storage.close()
    reader = StudyStorage.open(path, writer=False)
    state = reader.states()["p"]
    reader.close()
    assert state == {"log": [("c", 3.0)], "round": 3}
    assert isinstance(state["log"], AppendLog) and state["log"].key == "told"


def test_states_are_stored_as_data_and_read_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    log = AppendLog("told", [(np.float64(0.5), np.arange(3, dtype=np.int32))])
    state = {"rng": np.random.default_rng(1).bit_generator.state, "log": log, "by key": {(1, "a"): 2.0}, "blob": b"w"}
    storage = StudyStorage.create(path, {"spec": {}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {"p": state})
    storage.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (3,)
        (blob,) = conn.execute("SELECT state FROM plugin_state").fetchone()
    assert b'"$":"log","key":"told"' in blob  # JSON, with the log left out
    reader = StudyStorage.open(path, writer=False)
    back = reader.states()["p"]
    reader.close()
    assert back["rng"] == state["rng"] and back["by key"] == {(1, "a"): 2.0} and back["blob"] == b"w"
    (number, array), = back["log"]
    assert type(number) is np.float64 and array.dtype == np.int32 and array.tolist() == [0, 1, 2]


def test_a_state_that_is_not_data_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    storage = StudyStorage.create(tmp_path / "s.db", {"spec": {}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {"gpnas.GPNAS": {"searchers": {}}})
    not_data = {"searchers": {"operators": [1, 2, 3, Path("x")]}}
    with pytest.raises(PluginError) as refused:
        storage.write_trial(row(1), "k1", "complete", 1.0, {"gpnas.GPNAS": not_data})
    assert str(refused.value) == (
        "plugin state 'gpnas.GPNAS' holds a pathlib.PosixPath at ['searchers']['operators'][3]: states must be data"
    )
    log = AppendLog("told", [1, {"x": object()}])
    with pytest.raises(PluginError, match=r"'p' holds an object at \['a'\]\[1\]\['x'\]: states must be data$"):
        storage.write_trial(row(1), "k1", "complete", 1.0, {"p": {"a": log}})
    assert [r.trial_id for r in storage.trials()] == [0]
    assert storage.states() == {"gpnas.GPNAS": {"searchers": {}}}
    storage.close()


def old_study(path: Path, state: bytes) -> None:
    """A study file as nas wrote it before states were data: schema 2, a pickled plugin state."""
    storage = StudyStorage.create(path, {"spec": {"seed": 3}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {"p": 1}, artifacts={"model": b"weights"})
    storage.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE plugin_state SET state = ?", (state,))
        conn.execute("PRAGMA user_version = 2")


def test_a_study_with_pickled_states_is_read_but_never_unpickled_or_resumed(tmp_path: Path) -> None:
    path, marker = tmp_path / "old.db", tmp_path / "ran"
    old_study(path, pickle.dumps(Planted(marker)))
    before = digest(path)
    reader = StudyStorage.open(path, writer=False)
    assert [r.trial_id for r in reader.trials()] == [0] and reader.meta()["spec"] == {"seed": 3}
    assert reader.artifacts() == (0, {"model": b"weights"})
    with pytest.raises(StorageError, match="written by an older nas .*cannot be resumed") as refused:
        reader.states()
    reader.close()
    with pytest.raises(StorageError, match="written by an older nas .*cannot be resumed"):
        StudyStorage.open(path)  # to resume it
    assert "\n" not in str(refused.value)
    assert not marker.exists() and digest(path) == before


def test_a_crafted_state_in_a_current_study_is_refused_without_running_it(tmp_path: Path) -> None:
    path, marker = tmp_path / "s.db", tmp_path / "ran"
    storage = StudyStorage.create(path, {"spec": {}})
    storage.write_trial(row(0), "k0", "complete", 1.0, {"p": {"log": AppendLog("told", [1])}})
    storage.close()
    for table, column in (("plugin_log", "entry"), ("plugin_state", "state")):
        with sqlite3.connect(path) as conn:
            conn.execute(f"UPDATE {table} SET {column} = ?", (pickle.dumps(Planted(marker)),))
        storage = StudyStorage.open(path)
        with pytest.raises(StorageError, match="the stored state of 'p' is corrupt or not written by nas"):
            storage.states()
        storage.close()
    assert not marker.exists()


@pytest.mark.parametrize("in_a_file", [True, False], ids=["study file", "in memory"])
def test_plugin_states_are_saved_only_where_a_study_can_be_resumed(tmp_path: Path, in_a_file: bool) -> None:
    spec = RunSpec(("evolution",), Budget(trials=5), 0, "nb201", "cifar10", None, {}, "cpu", require_data_dir())
    session = open_session(spec, tmp_path / "s.db") if in_a_file else open_session(spec)
    try:
        session.run()
        assert session.study.storage.persistent is in_a_file
        saved = session.study.storage.states()
    finally:
        session.close()
    assert ("evolution.RegularizedEvolution" in saved) is in_a_file and (saved == {}) is not in_a_file
