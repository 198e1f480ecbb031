"""The Python API: ``nas_core.search`` runs what ``nas search`` runs, ``load_study`` reads a study
file (one being written too), ``Study`` gives its trials, its answer and a DataFrame; the
README's example runs as written."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

import nas_core
from cli_helpers import nas, nas_json, popen
from nas_core import ConfigError, NasError, StorageError
from nas_core.storage import StudyStorage

REPO = Path(__file__).resolve().parents[1]
NB201 = {"benchmark": "nb201", "dataset": "cifar10"}


def readme_example() -> str:
    text = (REPO / "README.md").read_text()
    found = re.search(r"^### Python API\n\n```python\n(.*?)^```", text, re.S | re.M)
    assert found, "README.md has no python block under '### Python API'"
    return found.group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md (Python API)", "exec"), {})
    printed = capsys.readouterr().out
    assert "hw_edgegpu_latency" in printed and (tmp_path / "runs" / "notebook.db").is_file()


def test_search_is_nas_search(tmp_path: Path) -> None:
    """The same options give the same trials from Python as from the command line."""
    db = tmp_path / "cli.db"
    nas_json("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "40", "--seed", "3",
             "--evolution-population", "6", "--storage", str(db), "--json")  # fmt: skip
    study = nas_core.search("evolution", **NB201, budget=40, seed=3, evolution_population=6, storage=tmp_path / "api.db")
    from_cli = nas_core.load_study(db)
    assert [t.candidate.arch.key for t in study.trials] == [t.candidate.arch.key for t in from_cli.trials]
    assert [t.result.objective for t in study.trials] == [t.result.objective for t in from_cli.trials]
    assert study.spec == from_cli.spec
    assert len(study.trials) == 40 and study.stopped.startswith("budget spent")


def test_an_unknown_option_is_a_config_error_naming_it_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with pytest.raises(ConfigError, match=r"^unknown option --evolution-populatoin \(the loaded plugins accept: .*--evolution-population"):
        nas_core.search("evolution", **NB201, budget=5, storage=db, evolution_populatoin=5)
    with pytest.raises(ConfigError, match="invalid value for --evolution-population: 'many'"):
        nas_core.search("evolution", **NB201, budget=5, storage=db, evolution_population="many")
    with pytest.raises(ConfigError, match="name a search strategy with --plugin"):
        nas_core.search(**NB201, budget=5, storage=db)
    assert not db.exists()


def test_resume_continues_the_study(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_core.search("random", **NB201, budget=10, storage=db)
    study = nas_core.search(storage=db, resume=True, budget=25)
    assert len(study.trials) == 25 and study.spec.plugins == ("random",)
    assert [t.trial_id for t in study.trials] == list(range(25))


def test_a_study_gives_its_plugins_stored_states_and_its_spec_prepares_again(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_core.search("evolution", **NB201, budget=12, seed=1, evolution_population=6, storage=db)
    study = nas_core.load_study(db)
    states = study.plugin_states()
    assert set(states) == {"evolution.RegularizedEvolution"} and len(states["evolution.RegularizedEvolution"]["population"]) == 6
    assert nas_core.search("evolution", **NB201, budget=3, storage=":memory:").plugin_states() == {}
    prepared = nas_core.prepare(study.spec)
    assert prepared.space.name == study.space.name and prepared.options["evolution_population"] == 6


def test_what_nas_search_warns_of_is_a_user_warning() -> None:
    with pytest.warns(UserWarning, match=r"^plans' warm-up \(6 trials\) takes 60% of --budget 10"):
        study = nas_core.search(["random", "nastest_plugins.plans"], **NB201, budget=10, storage=":memory:")
    assert len(study.trials) == 10


def test_best_is_the_answer_a_strategy_names(tmp_path: Path) -> None:
    """``nastest_plugins.answers`` names the worst trial: ``best`` follows it, as nas show and
    export do; an answer no trial evaluated has no ``best`` but is the ``answer``."""
    worst = nas_core.search(["random", "nastest_plugins.answers"], **NB201, budget=8, storage=tmp_path / "w.db")
    completed = [t for t in worst.trials if t.result.ok]
    assert worst.best is not None and worst.best.result.objective == min(t.result.objective for t in completed)
    assert worst.answer == worst.best.candidate.arch
    shown = nas_json("show", str(tmp_path / "w.db"), "--json")
    assert shown["answer"]["arch"] == worst.best.candidate.arch.to_dict()

    unevaluated = nas_core.search(["random", "nastest_plugins.answers"], **NB201, budget=8, storage=":memory:", answers_unevaluated=True)
    assert unevaluated.best is None and unevaluated.answer is not None
    assert unevaluated.answer.key not in {t.candidate.arch.key for t in unevaluated.trials}

    plain = nas_core.search("random", **NB201, budget=8, storage=":memory:")
    assert plain.best is not None and plain.best.result.objective == max(t.result.objective for t in plain.trials)
    assert plain.path is None and "in memory" in repr(plain)


def test_to_pandas_has_the_columns_and_values_of_nas_trials(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    study = nas_core.search("evolution", **NB201, budget=15, storage=db)
    frame = study.to_pandas()
    listed = nas_json("trials", str(db), "--format", "json")
    assert list(frame.columns) == list(listed[0]) and len(frame) == len(listed) == 15
    assert frame["trial_id"].tolist() == [row["trial_id"] for row in listed]
    assert frame["objective"].tolist() == [row["objective"] for row in listed]
    assert frame["hw_edgegpu_latency"].tolist() == [row["hw_edgegpu_latency"] for row in listed]
    assert frame["arch"].iloc[0] == str(study.trials[0].candidate.arch)


def test_a_study_that_trained_loads_with_its_space(tmp_path: Path) -> None:
    db = tmp_path / "digits.db"
    searched = nas_core.search("random", space="mlp", dataset="digits", budget=2, train_epochs=1, device="cpu", storage=db)
    loaded = nas_core.load_study(db)
    assert isinstance(loaded.space, nas_core.MLPSpace) and all(isinstance(t.candidate.arch, nas_core.MLPChain) for t in loaded.trials)
    assert loaded.best == searched.best and loaded.answer == searched.best.candidate.arch
    assert loaded.to_pandas()["epochs"].tolist() == [1.0, 1.0]


def test_to_pandas_without_pandas_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    study = nas_core.search("random", **NB201, budget=2, storage=":memory:")
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(NasError, match=r"needs pandas: pip install 'nas-core\[pandas\]'"):
        study.to_pandas()


def test_load_study_refuses_what_is_not_a_study(tmp_path: Path) -> None:
    (tmp_path / "text.db").write_text("not a database")
    with pytest.raises(StorageError, match="not a nas study"):
        nas_core.load_study(tmp_path / "text.db")
    with pytest.raises(StorageError, match="no study file"):
        nas_core.load_study(tmp_path / "missing.db")


def test_a_running_search_can_be_loaded_and_listed(tmp_path: Path) -> None:
    """Read without the writer's lock: the search goes on, and its study reads as far as it got."""
    db, gate = tmp_path / "s.db", tmp_path / "gate"
    search = popen("search", "--plugin", "random", "--plugin", "nastest_plugins.slow", "--benchmark", "nb201", "--dataset", "cifar10",
                   "--budget", "12", "--slow-hold-at", "5", "--slow-gate", str(gate), "--storage", str(db), "--quiet")  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (db.exists() and _trials(db) == 5):  # held before its sixth trial
            assert time.monotonic() < deadline and search.poll() is None, search.stderr.read() if search.stderr else ""
            time.sleep(0.05)
        study = nas_core.load_study(db)
        assert len(study.trials) == 5 and study.stopped is None and study.running is True
        assert len(study.table().records) == 5  # built: a refresh extends it with the new trials
        listed = nas("trials", str(db), "--format", "json")
        assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 5, listed.stderr
        gate.touch()
        assert search.wait(timeout=120) == 0
    finally:
        search.kill()
        search.wait()
    assert len(nas_core.load_study(db).trials) == 12
    refreshed = study.refresh()  # reads the 7 trials recorded since, keeps the 5 it had
    assert [t.trial_id for t in refreshed.trials] == list(range(12)) and refreshed.running is False
    assert refreshed.stopped.startswith("budget spent") and study.stopped is None
    assert refreshed.summary() == nas_core.summarize(db)
    assert refreshed.table() == nas_core.load_study(db).table()
    assert refreshed.trial(9) == refreshed.trials[9]
    with pytest.raises(KeyError, match="no trial 12"):
        refreshed.trial(12)


def test_refresh_finds_trials_recorded_out_of_id_order(tmp_path: Path) -> None:
    """Parallel workers record trials in the order they finish, so ids can arrive below others."""
    db = tmp_path / "s.db"
    nas_core.search("random", **NB201, budget=8, seed=1, storage=db)
    whole = nas_core.load_study(db)
    storage = StudyStorage.open(db, writer=False)
    rows = list(storage.trials())
    storage.close()
    early = nas_core.Study(str(db), whole.spec, {"created": whole._meta["created"]}, [rows[i] for i in (0, 1, 4)])
    early.table()
    refreshed = early.refresh()
    assert [t.trial_id for t in refreshed.trials] == list(range(8)) and refreshed.table() == whole.table()


def test_refresh_reads_a_study_made_anew_at_the_same_path_whole(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_core.search("random", **NB201, budget=6, seed=1, storage=db)
    old = nas_core.load_study(db)
    db.unlink()
    nas_core.search("evolution", **NB201, budget=8, seed=2, storage=db)
    new = old.refresh()
    assert new.spec.plugins == ("evolution",) and new.table() == nas_core.load_study(db).table()


def _trials(db: Path) -> int:
    try:
        return len(nas_core.load_study(db).table().records)
    except StorageError:  # created, its tables not written yet
        return -1


def test_search_takes_constraints_as_nas_search_does() -> None:
    study = nas_core.search("random", benchmark="nb201", dataset="cifar10", budget=20, storage=":memory:", constraints=["params<=0.5"])
    assert study.spec.constraints == ("params<=0.5",)
    assert study.best is not None and study.best.result.metrics["params"] <= 0.5
    assert any(trial.result.status == nas_core.Status.REJECTED for trial in study.trials)
