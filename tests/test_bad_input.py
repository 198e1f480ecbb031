"""The bad-input catalogue: every way a user or a plugin can get a run wrong, one row each.

Each row runs the real ``nas`` executable and expects one line on stderr starting ``error: ``,
exit 2 for a usage error or 1 for a run-time error, and the study file it names byte-identical
afterwards (or, where there was none, still none). A row is ``(id, exit code, what the line
says, the arguments)``; arguments may use ``{db}`` (a fresh study path), ``{study}`` (a copy of
a recorded study, or a damaged one made by the row's ``setup``) and ``{tmp}`` (the test's
folder). Cases that need more than arguments (a running second writer, a read-only folder, a
full disk, a failing trial) are tests of their own below the table. A worker killed in the
middle of a trial is covered in test_parallel.py
(test_a_trial_whose_workers_die_is_retried_once_then_failed).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_helpers import nas, popen

NB201 = ("--benchmark", "nb201", "--dataset", "cifar10")
RANDOM = ("search", "--plugin", "random", *NB201, "--budget", "3", "--storage", "{db}")
EVOLUTION = ("search", "--plugin", "evolution", *NB201, "--budget", "3", "--storage", "{db}")
ON_DIGITS = ("--space", "nb201", "--dataset", "digits", "--budget", "1", "--storage", "{db}")
USAGE, RUNTIME = 2, 1
RETRAIN_BENCH = ("retrain-bench", "--plugin", "darts", "--space", "nb201", "--dataset", "digits", "--budget", "1", "--retrain-epochs", "1",
                 "-o", "{tmp}/out.json")  # fmt: skip


@dataclass(frozen=True)
class Case:
    id: str
    code: int
    says: str  # a part of the error line
    args: tuple[str, ...]
    setup: Callable[[Path, Path], None] | None = None  # (the study to damage, the test folder)
    env: tuple[tuple[str, str], ...] = ()


# -- damaging a recorded study, and writing small tables --------------------------------------


def truncate(study: Path, _: Path) -> None:
    study.write_bytes(study.read_bytes()[:3000])


def overwrite_with_noise(study: Path, _: Path) -> None:
    study.write_bytes(bytes(range(256)) * 4)


def empty(study: Path, _: Path) -> None:
    study.write_bytes(b"")


def sql(*statements: str) -> Callable[[Path, Path], None]:
    def run(study: Path, _: Path) -> None:
        with sqlite3.connect(study) as conn:
            for statement in statements:
                conn.execute(statement)
        conn.close()

    return run


def foreign(study: Path, _: Path) -> None:
    study.unlink()
    sql("CREATE TABLE songs (title TEXT)")(study, _)


def write(name: str, text: str) -> Callable[[Path, Path], None]:
    def run(_: Path, tmp: Path) -> None:
        (tmp / name).write_text(text)

    return run


def write_all(*files: tuple[str, str]) -> Callable[[Path, Path], None]:
    def run(study: Path, tmp: Path) -> None:
        for name, text in files:
            write(name, text)(study, tmp)

    return run


def table(name: str) -> tuple[str, ...]:
    return ("search", "--plugin", "random", "--benchmark", "{tmp}/" + name, "--budget", "3", "--storage", "{db}")


def raising(hook: str) -> Case:
    return Case(f"{hook}-raises", RUNTIME, "unexpected RuntimeError in nastest_plugins/misbehaves.py", MISBEHAVING,
                env=(("NASTEST_RAISES_IN", hook),))  # fmt: skip


def wrong_type(hook: str, says: str) -> Case:
    return Case(f"{hook}-wrong-type", RUNTIME, says, MISBEHAVING, env=(("NASTEST_WRONG_TYPE_IN", hook),))


MISBEHAVING = ("search", "--plugin", "nastest_plugins.misbehaves", *NB201, "--budget", "3", "--storage", "{db}", "--quiet")
RESUME = ("search", "--resume", "--storage", "{study}", "--budget", "9")
GRID = "arch,valid_acc,cost_seconds\n" + "".join(f"{a}{b},{50 + a + b},{10 + a}\n" for a in range(3) for b in range(3))

CASES = [
    # plugins: unknown, not importable, breaking the contract, two strategies, none
    Case("unknown-plugin", USAGE, "unknown plugin 'gpnass' (installed: ", ("search", "--plugin", "gpnass", *NB201, "--storage", "{db}")),
    Case("unknown-module", RUNTIME, "plugin 'no.such.module' (module no.such.module) failed to import: ModuleNotFoundError",
         ("search", "--plugin", "no.such.module", *NB201, "--storage", "{db}")),
    Case("plugin-fails-to-import", RUNTIME, "plugin 'nastest_plugins.broken' (module nastest_plugins.broken) failed to import",
         ("search", "--plugin", "random", "--plugin", "nastest_plugins.broken", *NB201, "--storage", "{db}")),
    Case("misspelled-hook", RUNTIME, "implements an unknown hook", ("search", "--plugin", "random", "--plugin", "nastest_plugins.typo", *NB201, "--storage", "{db}")),
    Case("requires-missing", RUNTIME, "requires 'no-such-plugin', which is not installed",
         ("search", "--plugin", "random", "--plugin", "nastest_plugins.requires_missing", *NB201, "--storage", "{db}")),
    Case("requires-cycle", RUNTIME, "plugins require each other in a cycle",
         ("search", "--plugin", "random", "--plugin", "nastest_plugins.cycle_a", *NB201, "--storage", "{db}")),
    Case("requires-as-text", RUNTIME, "NAS_PLUGINS must be a tuple of plugin names",
         ("search", "--plugin", "random", "--plugin", "nastest_plugins.requires_text", *NB201, "--storage", "{db}")),
    Case("two-strategies", USAGE, "two search strategies: 'evolution' and 'random'",
         ("search", "--plugin", "random", "--plugin", "evolution", *NB201, "--storage", "{db}")),
    Case("no-strategy", USAGE, "no search strategy: name one with --plugin", ("search", "--plugin", "nastest_plugins.counter", *NB201, "--storage", "{db}")),
    Case("no-plugin", USAGE, "name a search strategy with --plugin", ("search", *NB201, "--storage", "{db}")),
    Case("needs-a-buildable-space", USAGE, "plugin 'nastest_plugins.needs_graph_build'",
         (*table("t.csv"), "--plugin", "nastest_plugins.needs_graph_build"), write("t.csv", GRID)),
    # budgets, timeouts, seeds, devices, workers
    Case("budget-zero", USAGE, "a trial budget must be at least 1", (*RANDOM, "--budget", "0")),
    Case("budget-malformed", USAGE, "malformed budget '12x'", (*RANDOM, "--budget", "12x")),
    Case("budget-negative-time", USAGE, "malformed budget '-5s'", (*RANDOM, "--budget", "-5s")),
    Case("budget-zero-time", USAGE, "a time budget must be positive", (*RANDOM, "--budget", "0s")),
    Case("timeout-malformed", USAGE, "malformed duration 'soon'", (*RANDOM, "--timeout", "soon")),
    Case("timeout-zero", USAGE, "malformed --timeout '0s': a wall-clock limit must be positive", (*RANDOM, "--timeout", "0s")),
    Case("seed-not-a-number", USAGE, "'one' is not a valid integer", (*RANDOM, "--seed", "one")),
    Case("device-unknown", USAGE, "unknown --device 'tpu' (use auto, cpu, cuda or cuda:N)", (*RANDOM, "--device", "tpu")),
    Case("device-without-gpu", USAGE, "--device cuda: no CUDA device is available",
         ("search", "--plugin", "random", "--space", "mlp", "--dataset", "digits", "--budget", "1", "--device", "cuda", "--storage", "{db}")),
    Case("workers-zero", USAGE, "'--workers': 0 is not in the range x>=1", (*RANDOM, "--workers", "0")),
    Case("workers-and-scheduler", USAGE, "give either --workers (a local cluster) or --scheduler",
         (*RANDOM, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")),
    Case("scheduler-malformed", USAGE, "--scheduler 'nowhere' is not a Dask address", (*RANDOM, "--scheduler", "nowhere")),
    Case("scheduler-unreachable", RUNTIME, "cannot use the Dask scheduler at tcp://127.0.0.1:1", (*RANDOM, "--scheduler", "tcp://127.0.0.1:1")),
    Case("max-failures-zero", USAGE, "'--max-failures': 0 is not in the range x>=1", (*RANDOM, "--max-failures", "0")),
    Case("storage-is-a-folder", USAGE, "is a directory", ("search", "--plugin", "random", *NB201, "--storage", "{tmp}")),
    # options: unknown, malformed, out of range; every in-tree plugin, several for the big ones
    Case("option-of-an-unloaded-plugin", USAGE, "No such option '--evolution-population'", (*RANDOM, "--evolution-population", "5")),
    Case("option-bool-malformed", USAGE, "'maybe' is not a valid boolean",
         ("search", "--plugin", "random", "--plugin", "nag-generator", *NB201, "--nag-charge-dataset", "maybe", "--storage", "{db}")),
    Case("train-epochs-zero", USAGE, "--train-epochs must be at least 1, got 0",
         ("search", "--plugin", "random", "--space", "mlp", "--dataset", "digits", "--train-epochs", "0", "--budget", "1", "--storage", "{db}")),
    Case("evolution-population", USAGE, "--evolution-population must be at least 2, got 1", (*EVOLUTION, "--evolution-population", "1")),
    Case("evolution-sample-size", USAGE, "--evolution-sample-size must be in 1..10, got 0", (*EVOLUTION, "--evolution-sample-size", "0")),
    Case("hillclimb-has-no-options", USAGE, "No such option '--hillclimb-restarts'",
         ("search", "--plugin", "hillclimb", *NB201, "--hillclimb-restarts", "0", "--storage", "{db}")),
    Case("gpnas-eta", USAGE, "--gpnas-eta", ("search", "--plugin", "gpnas", *NB201, "--gpnas-eta", "1", "--storage", "{db}")),
    Case("gpnas-topology", USAGE, "--gpnas-topology", ("search", "--plugin", "gpnas", *NB201, "--gpnas-topology", "0101", "--storage", "{db}")),
    Case("gpnas-sampler", USAGE, "'tpe' is not one of", ("search", "--plugin", "gpnas", *NB201, "--gpnas-sampler", "tpe", "--storage", "{db}")),
    Case("gpnas-predictor-quantile", USAGE, "--gpnas-filter-quantile",
         ("search", "--plugin", "evolution", "--plugin", "gpnas-predictor", *NB201, "--gpnas-filter-quantile", "2.0", "--storage", "{db}")),
    Case("darts-epochs", USAGE, "--darts-epochs", ("search", "--plugin", "darts", *ON_DIGITS, "--darts-epochs", "0")),
    Case("darts-train-portion", USAGE, "--darts-train-portion", ("search", "--plugin", "darts", *ON_DIGITS, "--darts-train-portion", "1.5")),
    Case("darts-space-channels", USAGE, "--darts-channels",
         ("search", "--plugin", "random", "--plugin", "darts-space", "--space", "darts", "--dataset", "digits", "--darts-channels", "0",
          "--budget", "1", "--storage", "{db}")),
    Case("mlpnas-batch", USAGE, "--mlpnas-batch", ("search", "--plugin", "mlpnas", *NB201, "--mlpnas-batch", "0", "--storage", "{db}")),
    Case("mlpnas-sharing-on-a-table", USAGE, "--mlpnas-sharing", ("search", "--plugin", "mlpnas", *NB201, "--mlpnas-sharing", "true", "--storage", "{db}")),
    Case("nag-samples", USAGE, "--nag-samples", ("search", "--plugin", "nag", *NB201, "--nag-samples", "0", "--storage", "{db}")),
    Case("nag-labels", USAGE, "huge-acc", ("search", "--plugin", "nag", *NB201, "--nag-labels", "huge-acc", "--storage", "{db}")),
    Case("nag-dataset-size", USAGE, "--nag-dataset-size", ("search", "--plugin", "nag", *NB201, "--nag-dataset-size", "2", "--storage", "{db}")),
    Case("nag-generator-labels", USAGE, "--nag-generator-labels",
         ("search", "--plugin", "random", "--plugin", "nag-generator", *NB201, "--nag-generator-labels", "high-acc,low-acc", "--storage", "{db}")),
    Case("nag-space-max-nodes", USAGE, "--nag-space-max-nodes",
         ("search", "--plugin", "random", "--plugin", "nag-space", "--space", "nag-open", "--dataset", "digits", "--nag-space-max-nodes", "2",
          "--budget", "1", "--storage", "{db}")),
    Case("gpnas-space-on-a-table", USAGE, "does not match benchmark",
         ("search", "--plugin", "random", "--plugin", "gpnas-space", *NB201, "--space", "nb201-gen", "--storage", "{db}")),
    # nas retrain-bench: methods with options of their own, retraining and random counts, the runs folder
    Case("retrain-bench-no-space", USAGE, "Missing option '--space'", tuple(a for a in RETRAIN_BENCH if a not in ("--space", "nb201"))),
    Case("retrain-bench-space-unknown", USAGE, "unknown search space 'nope'", (*RETRAIN_BENCH, "--space", "nope")),
    Case("retrain-bench-dataset-unknown", USAGE, "unknown dataset 'nope'", (*RETRAIN_BENCH, "--dataset", "nope")),
    Case("retrain-bench-retrain-seeds-zero", USAGE, "'--retrain-seeds': 0 is not in the range x>=1", (*RETRAIN_BENCH, "--retrain-seeds", "0")),
    Case("retrain-bench-retrain-epochs-missing", USAGE, "Missing option '--retrain-epochs'",
         ("retrain-bench", "--plugin", "darts", "--space", "nb201", "--dataset", "digits", "--budget", "1", "-o", "{tmp}/out.json")),
    Case("retrain-bench-random-negative", USAGE, "'--random': -1 is not in the range x>=0", (*RETRAIN_BENCH, "--random", "-1")),
    Case("retrain-bench-set-option-unknown", USAGE, "plugin set 'darts --evolution-population 3': none of darts declares --evolution-population",
         (*RETRAIN_BENCH, "--plugin", "darts --evolution-population 3")),
    Case("retrain-bench-set-option-of-the-core", USAGE, "--train-lr applies to every set; give it outside the set",
         (*RETRAIN_BENCH, "--plugin", "fast=darts --train-lr 0.1")),
    Case("retrain-bench-set-option-without-value", USAGE, "option --darts-method needs a value", (*RETRAIN_BENCH, "--plugin", "x=darts --darts-method")),
    Case("retrain-bench-set-option-bad-value", USAGE, "invalid value for --darts-method: 'fourth-order'",
         (*RETRAIN_BENCH, "--plugin", "x=darts --darts-method fourth-order")),
    Case("retrain-bench-set-not-an-option", USAGE, "expected an option (--name value), got 'milenas'", (*RETRAIN_BENCH, "--plugin", "darts milenas")),
    Case("retrain-bench-set-unbalanced-quote", USAGE, "cannot read plugin set", (*RETRAIN_BENCH, "--plugin", "darts --darts-method 'milenas")),
    Case("retrain-bench-label-twice", USAGE, "two methods have the label 'a'", (*RETRAIN_BENCH, "--plugin", "a=darts", "--plugin", "a=evolution")),
    Case("retrain-bench-unknown-plugin", USAGE, "unknown plugin 'dartz'", (*RETRAIN_BENCH, "--plugin", "dartz")),
    Case("retrain-bench-constraint-on-accuracy", USAGE, "--constraint valid_acc>=90: retrain-bench judges architectures by retraining them",
         (*RETRAIN_BENCH, "--constraint", "valid_acc>=90")),
    Case("retrain-bench-runs-is-a-file", USAGE, "{tmp}/out.runs (the folder of its studies) is a file", RETRAIN_BENCH, write("out.runs", "")),
    # composition: a plugin's own spending that leaves the strategy nothing
    Case("planned-spend-over-budget", USAGE, "nag-generator's NAS dataset (156 table lookups, about ",
         ("search", "--plugin", "evolution", "--plugin", "nag-generator", "--benchmark", "nb201", "--dataset", "cifar100",
          "--budget", "12000s", "--storage", "{db}")),
    # benchmarks, tables and cards
    Case("benchmark-unknown", USAGE, "unknown benchmark 'nb202'", ("search", "--plugin", "random", "--benchmark", "nb202", "--storage", "{db}")),
    Case("benchmark-without-dataset", USAGE, "nb201 needs --dataset", ("search", "--plugin", "random", "--benchmark", "nb201", "--storage", "{db}")),
    Case("benchmark-dataset-unknown", USAGE, "nb201 has no dataset 'cifar11'",
         ("search", "--plugin", "random", "--benchmark", "nb201", "--dataset", "cifar11", "--storage", "{db}")),
    Case("data-dir-missing", RUNTIME, "data directory {tmp}/nowhere does not exist", (*RANDOM, "--data-dir", "{tmp}/nowhere")),
    Case("nothing-to-search", USAGE, "nothing to search", ("search", "--plugin", "random", "--storage", "{db}")),
    Case("space-unknown", USAGE, "unknown search space 'nope'", ("search", "--plugin", "random", "--space", "nope", "--dataset", "digits", "--storage", "{db}")),
    Case("space-of-an-unloaded-plugin", USAGE, "add --plugin nasib-space", ("search", "--plugin", "random", "--space", "nasib", "--dataset", "digits", "--storage", "{db}")),
    Case("dataset-unknown", USAGE, "unknown dataset 'nope'", ("search", "--plugin", "random", "--space", "mlp", "--dataset", "nope", "--storage", "{db}")),
    Case("table-missing", RUNTIME, "no benchmark table at", table("missing.csv")),
    Case("table-suffix", USAGE, "unknown benchmark", table("table.txt"), write("table.txt", GRID)),
    Case("table-no-rows", RUNTIME, "has no rows", table("t.csv"), write("t.csv", "arch,valid_acc\n")),
    Case("table-no-valid-acc", RUNTIME, "has no 'valid_acc' column", table("t.csv"), write("t.csv", "arch,acc\na,1\n")),
    Case("table-text-valid-acc", RUNTIME, "column 'valid_acc' must be numeric", table("t.csv"), write("t.csv", "arch,valid_acc\na,high\nb,2\n")),
    Case("table-empty-valid-acc", RUNTIME, "column 'valid_acc' has no values", table("t.csv"), write("t.csv", "arch,valid_acc\na,\nb,\n")),
    Case("table-empty-arch", RUNTIME, "record 2 has no 'arch' encoding", table("t.csv"), write("t.csv", "arch,valid_acc\na,1\n,2\n")),
    Case("table-duplicate-arch", RUNTIME, "lists 'a' twice", table("t.csv"), write("t.csv", "arch,valid_acc\na,1\na,2\n")),
    Case("table-fractional-fidelity", RUNTIME, "'fidelity' must be an integer", table("t.csv"), write("t.csv", "arch,valid_acc,fidelity\na,1,1.5\n")),
    Case("table-binary", RUNTIME, "cannot read table", table("t.csv"), lambda _, tmp: (tmp / "t.csv").write_bytes(bytes(range(128, 256)))),
    Case("table-json-not-a-list", RUNTIME, "must be a JSON list of records", table("t.json"), write("t.json", '{"arch": "a", "valid_acc": 1}')),
    Case("table-json-malformed", RUNTIME, "cannot read table", table("t.json"), write("t.json", '[{"arch": "a",')),
    Case("card-malformed", RUNTIME, "cannot read table card", table("c.toml"), write("c.toml", 'file = = "t.csv"\n')),
    Case("card-without-file", RUNTIME, "needs a 'file' entry", table("c.toml"), write("c.toml", 'name = "t"\n')),
    Case("card-unknown-entry", RUNTIME, "unknown entries colour", table("c.toml"), write_all(("c.toml", 'file = "t.csv"\ncolour = "red"\n'), ("t.csv", GRID))),
    Case("card-file-missing", RUNTIME, "missing table file", table("c.toml"), write("c.toml", 'file = "gone.csv"\n')),
    Case("card-column-missing", RUNTIME, "maps valid_acc to 'score', a column t.csv does not have", table("c.toml"),
         write_all(("c.toml", 'file = "t.csv"\n[columns]\nvalid_acc = "score"\n'), ("t.csv", GRID))),
    Case("card-tokenizer-unknown", RUNTIME, "unknown tokenizer 'morse'", table("c.toml"), write_all(("c.toml", 'file = "t.csv"\ntokens = "morse"\n'), ("t.csv", GRID))),
    # study files: damaged, foreign, from the future, in use, or not to be overwritten
    Case("show-missing", RUNTIME, "no study file at", ("show", "{tmp}/nowhere.db")),
    Case("show-truncated", RUNTIME, "is not a nas study or is corrupt", ("show", "{study}"), truncate),
    Case("show-noise", RUNTIME, "is not a nas study (not an SQLite file)", ("show", "{study}"), overwrite_with_noise),
    Case("show-empty-file", RUNTIME, "not a nas study", ("show", "{study}"), empty),
    Case("show-foreign-sqlite", RUNTIME, "an SQLite file of another application", ("show", "{study}"), foreign),
    Case("show-future-schema", RUNTIME, "written by a newer nas (schema 99)", ("show", "{study}"), sql("PRAGMA user_version = 99")),
    Case("show-no-spec", RUNTIME, "is not a readable nas study (KeyError: 'spec')", ("show", "{study}"), sql("DELETE FROM meta WHERE key = 'spec'")),
    Case("show-row-not-json", RUNTIME, "is not a readable nas study (JSONDecodeError", ("show", "{study}"),
         sql("UPDATE trials SET result = '{oops' WHERE trial_id = 1")),
    Case("export-spec-malformed", RUNTIME, "is not a readable nas study (TypeError", ("export", "{study}", "-o", "{tmp}/best.json"),
         sql("""UPDATE meta SET value = '{"plugins": 3}' WHERE key = 'spec'""")),
    Case("export-format-unknown", USAGE, "'xyz' is not one of 'json', 'torch', 'onnx'", ("export", "{study}", "--format", "xyz", "-o", "{tmp}/m")),
    Case("draw-noise", RUNTIME, "is not a nas study (not an SQLite file)", ("draw", "{study}", "-o", "{tmp}/cell.png"), overwrite_with_noise),
    Case("resume-truncated", RUNTIME, "is not a nas study or is corrupt", RESUME, truncate),
    Case("resume-noise", RUNTIME, "is not a nas study (not an SQLite file)", RESUME, overwrite_with_noise),
    Case("resume-foreign-sqlite", RUNTIME, "an SQLite file of another application", RESUME, foreign),
    Case("resume-future-schema", RUNTIME, "written by a newer nas (schema 99)", RESUME, sql("PRAGMA user_version = 99")),
    Case("resume-row-not-json", RUNTIME, "is not a readable nas study (JSONDecodeError", RESUME, sql("UPDATE trials SET result = '{oops' WHERE trial_id = 1")),
    Case("resume-missing", RUNTIME, "no study file at", ("search", "--resume", "--storage", "{tmp}/nowhere.db")),
    Case("resume-without-storage", USAGE, "--resume needs --storage", ("search", "--resume", "--budget", "9")),
    Case("resume-other-seed", USAGE, "--resume: seed differ from the run stored in", (*RESUME, "--seed", "5")),
    Case("resume-other-plugin", USAGE, "--resume: plugins differ", (*RESUME, "--plugin", "evolution")),
    Case("resume-bad-budget", USAGE, "malformed budget 'lots'", (*RESUME, "--budget", "lots")),
    Case("resume-bad-option", USAGE, "No such option '--evolution-population'", (*RESUME, "--evolution-population", "1")),
    Case("exists-without-resume", RUNTIME, "already exists: pass --resume", ("search", "--plugin", "random", *NB201, "--storage", "{study}")),
    # a plugin that raises in a hook, or returns the wrong type: a bug named with file and line
    *(raising(hook) for hook in ("nas_register", "nas_addoption", "nas_configure", "nas_planned_spend", "nas_budget",
                                 "nas_propose", "nas_sample", "nas_update")),  # fmt: skip
    wrong_type("nas_propose", "nas_propose must return Candidate objects, got str (from plugin 'nastest_plugins.misbehaves')"),
    wrong_type("nas_sample", "nas_sample must return Architecture objects, got str (from plugin 'nastest_plugins.misbehaves')"),
    wrong_type("nas_estimate", "nas_estimate must return a Result, got dict (from plugin 'nastest_plugins.misbehaves')"),
    wrong_type("nas_budget", "nas_budget must return a BudgetStatus, got float (from plugin 'nastest_plugins.misbehaves')"),
    wrong_type("nas_planned_spend", "nas_planned_spend must return a PlannedSpend, got float (from plugin 'nastest_plugins.misbehaves')"),
]  # fmt: skip


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small finished study to copy and damage."""
    study = tmp_path_factory.mktemp("recorded") / "study.db"
    done = nas("search", "--plugin", "random", *NB201, "--budget", "3", "--storage", str(study), "--quiet")
    assert done.returncode == 0, done.stderr
    return study


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def forget_traceback(line: str) -> None:
    """A bug's line names the file its traceback went to: check it, then remove it."""
    found = re.search(r"full traceback in (\S+\.txt)$", line)
    if found:
        report = Path(found.group(1))
        assert "Traceback (most recent call last)" in report.read_text()
        report.unlink()


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_line_the_right_exit_code_and_no_file_touched(
    case: Case, recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = tmp_path / "study.db"
    shutil.copy(recorded, study)
    if case.setup is not None:
        case.setup(study, tmp_path)
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    before = files_in(tmp_path)
    args = [arg.format(db=tmp_path / "new.db", study=study, tmp=tmp_path) for arg in case.args]
    done = nas(*args)
    line = one_error_line(done.stderr)
    assert done.returncode == case.code, line
    assert case.says.format(tmp=tmp_path) in line
    forget_traceback(line)
    assert files_in(tmp_path) == before  # the study byte for byte, and no new file


def test_a_plugin_named_twice_is_loaded_once(tmp_path: Path) -> None:
    """Not an error: ``--plugin random --plugin random`` is the run of ``--plugin random``, as a
    plugin required by two others is loaded once."""
    once, twice = tmp_path / "once.db", tmp_path / "twice.db"
    for study, plugins in ((once, ("--plugin", "random")), (twice, ("--plugin", "random", "--plugin", "random"))):
        done = nas("search", *plugins, *NB201, "--budget", "5", "--storage", str(study), "--json")
        assert done.returncode == 0 and done.stderr == "", done.stderr
    summaries = [json.loads(nas("show", str(s), "--json").stdout) for s in (once, twice)]
    assert summaries[0]["plugins"] == summaries[1]["plugins"] == [{"name": "random", "version": summaries[0]["plugins"][0]["version"]}]
    assert summaries[0]["best"] == summaries[1]["best"]  # the same search, resumable with --plugin random


# -- cases that need more than arguments ------------------------------------------------------


def test_a_second_writer_on_a_running_study_is_refused_and_the_first_goes_on(tmp_path: Path) -> None:
    study, gate = tmp_path / "s.db", tmp_path / "gate"
    first = popen("search", "--plugin", "random", "--plugin", "nastest_plugins.slow", "--slow-seconds", "0.01", *NB201,
                  "--slow-hold-at", "1", "--slow-gate", str(gate), "--budget", "15", "--storage", str(study), "--quiet")  # fmt: skip
    try:  # the first search holds after its first trial until the gate opens: it is running throughout
        while not (study.exists() and json.loads(nas("show", str(study), "--json").stdout)["trials"]):
            assert first.poll() is None, first.communicate()
        for args in (("--resume",), ("--plugin", "random", *NB201)):
            second = nas("search", *args, "--storage", str(study), "--budget", "30")
            assert second.returncode == 1
            line = one_error_line(second.stderr)
            assert "in use by another running nas search" in line or "already exists" in line
        gate.touch()
        _, stderr = first.communicate(timeout=300)
    finally:
        first.kill()
    assert first.returncode == 0, stderr
    summary = json.loads(nas("show", str(study), "--json").stdout)
    assert summary["trials"] == 15 and summary["budget"]["trials"] == 15  # the first run's, whole


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing may be written in, even by root (who ignores chmod): a read-only tmpfs."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    with tmpfs(folder, "ro,size=64k", "running as root, where chmod does not stop writes, and cannot mount a read-only tmpfs"):
        yield folder


@contextmanager
def tmpfs(folder: Path, options: str, why_not: str) -> Iterator[None]:
    """A real tmpfs mounted on ``folder`` for the block; the test is skipped where mount fails."""
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"{why_not}: {mounted.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("where", ["s.db", "sub/s.db"])
def test_a_study_in_a_read_only_folder_is_refused_and_nothing_is_left(read_only_folder: Path, where: str) -> None:
    done = nas(*[a.format(db=read_only_folder / where) for a in RANDOM])
    assert done.returncode == 1
    assert f"cannot create {read_only_folder / where}" in one_error_line(done.stderr) or "cannot write" in done.stderr
    assert not any(read_only_folder.iterdir())


def test_a_study_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    done = nas(*[a.format(db=tmp_path / "a-file" / "s.db") for a in RANDOM])
    assert done.returncode == 1 and "cannot write" in one_error_line(done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 128 KiB file system: room for a study file and a few trials."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    with tmpfs(folder, "size=128k", "cannot mount a tmpfs here (needs root)"):
        yield folder


def test_a_full_disk_stops_the_search_with_one_line_and_keeps_the_recorded_trials(tiny_disk: Path) -> None:
    study = tiny_disk / "s.db"
    done = nas("search", "--plugin", "evolution", *NB201, "--budget", "500", "--storage", str(study), "--quiet")
    assert done.returncode == 1
    assert one_error_line(done.stderr) == f"error: cannot write {study}: database or disk is full"
    summary = json.loads(nas("show", str(study), "--json").stdout)
    assert 0 < summary["trials"] < 500


def test_a_study_the_disk_has_no_room_for_is_not_left_behind(tiny_disk: Path) -> None:
    (tiny_disk / "filler").write_bytes(b"\0" * (112 * 1024))
    done = nas(*[a.format(db=tiny_disk / "s.db") for a in RANDOM])
    assert done.returncode == 1 and "cannot write" in one_error_line(done.stderr)
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def test_a_nan_loss_fails_its_trial_and_the_search_goes_on(tmp_path: Path) -> None:
    """Not an error line: the trial is recorded failed with the reason, the others complete."""
    study = tmp_path / "s.db"
    done = nas("search", "--plugin", "random", "--space", "mlp", "--dataset", "digits", "--mlp-max-layers", "2",
               "--train-epochs", "2", "--train-lr", "1e30", "--budget", "3", "--storage", str(study), "--quiet")  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    rows = sqlite3.connect(study).execute("SELECT status, result FROM trials").fetchall()
    assert len(rows) == 3
    failed = [json.loads(result)["info"]["error"] for status, result in rows if status == "failed"]
    assert failed and all("the loss is nan" in reason for reason in failed)


def test_an_estimator_that_raises_fails_trials_until_too_many_fail_in_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASTEST_RAISES_IN", "nas_estimate")
    study = tmp_path / "s.db"
    done = nas(*[a.format(db=study) for a in MISBEHAVING], "--max-failures", "2")
    assert done.returncode == 1
    assert one_error_line(done.stderr) == "error: 2 trials in a row failed; last: RuntimeError: nas_estimate broke on purpose"
    assert json.loads(nas("show", str(study), "--json").stdout)["status_counts"] == {"failed": 2}


@pytest.mark.parametrize(
    ("variable", "says"),
    [("NASTEST_RAISES_IN", "unexpected RuntimeError in nastest_plugins/misbehaves.py"),
     ("NASTEST_WRONG_TYPE_IN", "nas_answer must return an Architecture, got str (from plugin 'nastest_plugins.misbehaves')")],
)  # fmt: skip
def test_a_broken_answer_hook_is_one_line_after_the_trials_are_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, says: str
) -> None:
    monkeypatch.setenv(variable, "nas_answer")
    study = tmp_path / "s.db"
    done = nas(*[a.format(db=study) for a in MISBEHAVING])
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert says in line
    forget_traceback(line)
    assert json.loads(nas("show", str(study), "--json").stdout)["trials"] == 3


@pytest.mark.parametrize("hook", ["nas_propose", "nas_update"])
def test_a_resume_that_fails_before_its_first_trial_leaves_the_study_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: str
) -> None:
    study = tmp_path / "s.db"
    assert nas(*[a.format(db=study) for a in MISBEHAVING]).returncode == 0
    recorded = study.read_bytes()
    monkeypatch.setenv("NASTEST_RAISES_IN", hook)
    done = nas("search", "--resume", "--storage", str(study), "--budget", "6", "--quiet")
    assert done.returncode == 1
    forget_traceback(one_error_line(done.stderr))
    assert study.read_bytes() == recorded and sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]


def test_a_study_locked_by_another_writer_is_refused_to_writers_and_read_by_readers(recorded: Path, tmp_path: Path) -> None:
    study = tmp_path / "s.db"
    shutil.copy(recorded, study)
    with study.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running search holds it
        done = nas("search", "--resume", "--storage", str(study), "--budget", "9")
        shown = nas("show", str(study), "--json")
    assert done.returncode == 1 and "is in use by another running nas search" in one_error_line(done.stderr)
    assert shown.returncode == 0 and json.loads(shown.stdout)["trials"] == 3
    assert study.read_bytes() == recorded.read_bytes()
