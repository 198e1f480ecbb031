"""Fault soak (issue 23 part 5): real ``nas search`` processes killed with SIGKILL at random
moments and resumed, and readers polling a study while a search writes it.

Part 1, kill and resume. Per configuration, one uninterrupted search is run first (the reference).
Then the same search runs on a fresh study file as a subprocess in its own process group (so the
Dask workers die with the driver); once it has recorded a trial (the file is polled every 2 ms)
the whole group is SIGKILLed after a delay drawn uniformly (seeded) from [0, the reference's time
from its first trial to its exit], then ``nas search --resume`` runs, is killed again the same way,
and so on until a resume completes. Runs repeat until ``--kills`` kills per configuration.
What is checked is what README.md's "Safe" bullet and docs/distributed.md promise:

- sequential configurations: the final study equals the reference trial for trial (ids,
  architectures, fidelities, status, objective, metrics; measured seconds are not compared);
- ``--workers`` configurations, whose trial order depends on which worker finishes first: every
  trial recorded before a kill is in the final study unchanged, trial ids are 0..n-1, no
  architecture (at a fidelity) is evaluated twice, and n is the trial budget.

Part 2, readers. 4 reader threads each run ``nas show --json`` and ``nas plot`` (each a fresh
process) in a loop on a study while a search writes it; they count polls, errors, "database is
locked" and torn reads (JSON that does not parse, a trial count that goes down, trials whose
statuses do not add up to the count, a best trial without its objective). The search's trials per
second are measured with and without the readers.

    NAS_DATA_DIR=../shared/data OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fault_soak.py --kills 100

Study files of a failed check are kept under ``--failures-dir`` (default in /tmp: not for git).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nas_core.spaces.nb201 import NB201Cell
from nas_core.storage import StudyStorage
from nas_core.types import Status

NAS = str(Path(sys.executable).with_name("nas"))
RESULTS = Path(__file__).resolve().parent / "results"
NB201 = ("--benchmark", "nb201", "--dataset", "cifar10")
DARTS_DIGITS = ("--space", "nb201", "--dataset", "digits", "--nb201-channels", "4", "--nb201-cells", "1",
                "--darts-batch-size", "256", "--darts-epochs", "6")  # fmt: skip


@dataclass(frozen=True)
class Config:
    name: str
    plugin: str
    args: tuple[str, ...]
    budget: int
    workers: int | None = None

    def _workers(self) -> list[str]:
        return ["--workers", str(self.workers)] if self.workers else []

    def search(self, seed: int, storage: Path) -> list[str]:
        return ["search", "--plugin", self.plugin, *self.args, "--budget", str(self.budget), "--seed", str(seed),
                *self._workers(), "--storage", str(storage), "--quiet"]  # fmt: skip

    def resume(self, storage: Path) -> list[str]:
        return ["search", "--resume", "--storage", str(storage), *self._workers(), "--quiet"]


def _configs() -> dict[str, Config]:
    base = [Config("evolution", "evolution", NB201, 150), Config("gpnas", "gpnas", NB201, 50),
            Config("darts", "darts", DARTS_DIGITS, 6)]  # fmt: skip
    both = [c for b in base for c in (b, Config(f"{b.name}-w2", b.plugin, b.args, b.budget, workers=2))]
    return {c.name: c for c in both}


CONFIGS = _configs()


# -- reading a study ------------------------------------------------------------------------------
def trials(path: Path) -> list[dict[str, Any]]:
    """The compared content of every recorded trial, by trial id (measured seconds left out)."""
    storage = StudyStorage.open(path, writer=False)
    try:
        return [
            {"trial_id": r.trial_id, "arch": r.candidate["arch"], "fidelity": r.candidate.get("fidelity"),
             "status": r.result.get("status"), "objective": r.result.get("objective"),
             "metrics": r.result.get("metrics")}  # fmt: skip
            for r in storage.trials()
        ]
    finally:
        storage.close()


def arch_key(trial: dict[str, Any]) -> str:
    """What "the same architecture" means to the de-duplication: NB201 cells up to isomorphism."""
    arch = trial["arch"]
    shape = NB201Cell.from_str(arch["arch_str"]).key if arch.get("kind") == "nb201" else json.dumps(arch, sort_keys=True)
    return f"{shape}@{trial['fidelity']}"


def first_difference(got: Sequence[dict[str, Any]], want: Sequence[dict[str, Any]]) -> str | None:
    for a, b in zip(got, want):
        if a != b:
            field_ = next(k for k in b if a.get(k) != b[k])
            return f"trial {b['trial_id']}: {field_} {a.get(field_)!r} != reference {b[field_]!r}"
    if len(got) != len(want):
        return f"{len(got)} trials, reference has {len(want)}"
    return None


def rule_violation(final: Sequence[dict[str, Any]], before_kills: Sequence[Sequence[dict[str, Any]]], budget: int) -> str | None:
    """The promise for any run, parallel ones included (README "Safe", docs/distributed.md "Faults")."""
    by_id = {t["trial_id"]: t for t in final}
    for k, snapshot in enumerate(before_kills, 1):
        for t in snapshot:
            if by_id.get(t["trial_id"]) != t:
                return f"trial {t['trial_id']} recorded before kill {k} is {'changed' if t['trial_id'] in by_id else 'lost'}"
    ids = [t["trial_id"] for t in final]
    if ids != list(range(len(ids))):
        missing, extra = sorted(set(range(len(ids))) - set(ids)), sorted(set(ids) - set(range(len(ids))))
        return f"trial ids are not 0..{len(ids) - 1}: {missing[:5]} missing, {extra[:5]} instead"
    seen: dict[str, int] = {}
    for t in final:
        key = arch_key(t)
        if key in seen:
            return f"trials {seen[key]} and {t['trial_id']} evaluate the same architecture"
        seen[key] = t["trial_id"]
    spent = sum(Status(t["status"]).consumes_budget for t in final)  # GPNAS' "predicted" trials are free
    if spent != budget:
        return f"{spent} trials count against the budget, which buys {budget}"
    return None


# -- running nas ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    command: str
    seconds: float
    killed: bool
    returncode: int | None
    error: str | None
    first_trial: float | None  # seconds from the start until the study held one more trial


def recorded(study: Path) -> int:
    """Trials in the study now; 0 while it is not created yet. A bare read-only SQLite query,
    cheap enough to poll every few milliseconds (a table search records a trial in under 1 ms)."""
    try:
        conn = sqlite3.connect(f"file:{study}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return 0
    try:
        return conn.execute("SELECT count(*) FROM trials").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def run_nas(argv: list[str], study: Path | None = None, kill_after: float | None = None) -> Outcome:
    """``nas`` in its own process group. With ``study``, the time it first records a trial is
    measured; with ``kill_after`` too, the whole group is SIGKILLed that many seconds later."""
    start = time.monotonic()
    before = recorded(study) if study else 0
    first: float | None = None
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen([NAS, *argv], stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        while study and first is None and process.poll() is None:
            if recorded(study) > before:
                first = time.monotonic() - start
            else:
                time.sleep(0.002)
        try:
            returncode = process.wait(timeout=None if first is None or kill_after is None else kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return Outcome(shlex.join(["nas", *argv]), time.monotonic() - start, True, None, None, first)
        stderr.seek(0)
        lines = [line for line in stderr.read().splitlines() if line.strip()]
    error = (lines[-1] if lines else f"exit {returncode}") if returncode else None
    return Outcome(shlex.join(["nas", *argv]), time.monotonic() - start, False, returncode, error, first)


@dataclass
class Soak:
    config: Config
    kills_asked: int
    reference_seconds: float = 0.0
    reference_error: str | None = None
    reference_first_trial: float = 0.0
    runs: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, str] = field(default_factory=dict)

    @property
    def kills(self) -> int:
        return sum(r["kills"] for r in self.runs)

    def summary(self) -> dict[str, Any]:
        bad = [r for r in self.runs if r["problem"]]
        return {
            "config": self.config.name, "budget_trials": self.config.budget, "workers": self.config.workers,
            "compared_with": "the reference run, trial for trial" if not self.config.workers else "the README rule",
            "reference_seconds": round(self.reference_seconds, 2), "reference_error": self.reference_error,
            "reference_first_trial_seconds": round(self.reference_first_trial, 2),
            "kills": self.kills, "kills_asked": self.kills_asked, "runs": len(self.runs), "runs_ok": len(self.runs) - len(bad),
            "exact_match": (not bad) if self.runs else None,
            "first_difference": bad[0]["problem"] if bad else None,
            "seconds": round(sum(r["seconds"] for r in self.runs), 1), "commands": self.commands,
            "per_run": self.runs,
        }  # fmt: skip


def soak(config: Config, kills: int, seed: int, workdir: Path, failures: Path, progress: Callable[[Soak], None]) -> Soak:
    """Kill and resume runs of ``config`` until ``kills`` kills; ``progress`` hears after every run."""
    result = Soak(config, kills)
    reference = workdir / f"{config.name}-reference.db"
    done = run_nas(config.search(seed, reference), reference)
    result.reference_seconds, result.reference_error = done.seconds, done.error
    result.reference_first_trial = done.first_trial or 0.0
    result.commands = {"reference": done.command, "killed": shlex.join(["nas", *config.search(seed, Path("F"))]),
                       "resume": shlex.join(["nas", *config.resume(Path("F"))])}  # fmt: skip
    if done.error:
        return result
    want = trials(reference)
    check_ref = rule_violation(want, [], config.budget)
    if check_ref:
        result.reference_error = f"the uninterrupted run breaks the rule: {check_ref}"
        return result
    rng = random.Random(f"{seed}:{config.name}")
    while result.kills < kills:
        study = workdir / f"{config.name}-run{len(result.runs)}.db"
        span = result.reference_seconds - result.reference_first_trial
        run = killed_run(config, seed, study, rng, span, kills - result.kills)
        if not run["problem"]:
            got = trials(study)
            run["problem"] = rule_violation(got, run.pop("snapshots"), config.budget)
            if not config.workers and not run["problem"]:
                run["problem"] = first_difference(got, want)
        run.pop("snapshots", None)
        if run["problem"]:
            run["kept"] = str(keep(study, failures / study.name.replace(".db", f"-seed{seed}.db")))
            keep(reference, failures / f"{config.name}-reference-seed{seed}.db")
        result.runs.append(run)
        print(f"  {config.name} run {len(result.runs)}: {run['kills']} kills, "
              f"{'OK' if not run['problem'] else 'PROBLEM: ' + run['problem']}", flush=True)  # fmt: skip
        progress(result)
    return result


def keep(study: Path, to: Path) -> Path:
    """A copy of a study as the kill left it: with its -journal, -wal and -shm, which SQLite
    reads (and rolls back or replays) when it next opens the file."""
    to.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        if Path(f"{study}{suffix}").exists():
            shutil.copy(f"{study}{suffix}", f"{to}{suffix}")
    return to


def killed_run(config: Config, seed: int, study: Path, rng: random.Random, span: float, kills_left: int) -> dict[str, Any]:
    """A fresh search killed and resumed until a resume completes (or ``kills_left`` is used up).
    Each kill comes uniformly within ``span`` seconds (the reference's time from its first trial to
    its exit) after the process records its first trial, so it lands among trials or in the
    shutdown, not in the second or so of Python starting up."""
    snapshots: list[list[dict[str, Any]]] = []
    delays: list[float] = []
    unreadable: list[str] = []
    seconds = 0.0
    argv = config.search(seed, study)
    while True:
        delay = rng.uniform(0, span) if len(delays) < kills_left else None
        outcome = run_nas(argv, study, delay)
        seconds += outcome.seconds
        if not outcome.killed:
            problem = f"{outcome.command}: {outcome.error}" if outcome.error else None
            return {"kills": len(delays), "kill_delays": [round(d, 2) for d in delays], "seconds": round(seconds, 2),
                    "trials_at_kills": [len(s) for s in snapshots], "unreadable_after_kill": unreadable,
                    "problem": problem, "snapshots": snapshots}  # fmt: skip
        delays.append(delay)  # type: ignore[arg-type]
        if not study.exists():  # killed before the file was created: nothing recorded, start again
            snapshots.append([])
            argv = config.search(seed, study)
            continue
        try:
            snapshots.append(trials(study))
        except Exception as exc:  # noqa: BLE001 - a file a kill left unreadable is what we look for
            unreadable.append(f"after kill {len(delays)}: {exc}")
            snapshots.append([])
        argv = config.resume(study)  # as a user would, even on a file the kill left unreadable


# -- readers --------------------------------------------------------------------------------------
@dataclass
class ReaderCounts:
    polls: int = 0
    errors: int = 0
    locked: int = 0
    torn: int = 0
    not_created_yet: int = 0
    messages: dict[str, int] = field(default_factory=dict)

    def add(self, other: ReaderCounts) -> None:
        for name in ("polls", "errors", "locked", "torn", "not_created_yet"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for message, n in other.messages.items():
            self.messages[message] = self.messages.get(message, 0) + n


def read_loop(study: Path, png: Path, stop: threading.Event, counts: ReaderCounts) -> None:
    last = 0
    while not stop.is_set():
        for argv in (["show", str(study), "--json"], ["plot", str(study), "-o", str(png)]):
            done = subprocess.run([NAS, *argv], capture_output=True, text=True, timeout=120)
            counts.polls += 1
            if done.returncode:
                message = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
                if not study.exists() or "no study file" in message:
                    counts.not_created_yet += 1
                    continue
                counts.errors += 1
                counts.locked += "locked" in message
                counts.messages[message[:200]] = counts.messages.get(message[:200], 0) + 1
            elif argv[0] == "show":
                tear = torn(done.stdout, last)
                if isinstance(tear, str):
                    counts.torn += 1
                    counts.messages[f"torn: {tear}"] = counts.messages.get(f"torn: {tear}", 0) + 1
                else:
                    last = tear


def torn(stdout: str, last: int) -> int | str:
    """The trial count of a consistent ``nas show --json``, or what is inconsistent in it."""
    try:
        shown = json.loads(stdout)
    except json.JSONDecodeError as exc:
        return f"JSON does not parse ({exc.msg})"
    n = shown["trials"]
    if n < last:
        return f"trial count went down from {last} to {n}"
    if sum(shown["status_counts"].values()) != n:
        return f"statuses {shown['status_counts']} do not add up to {n} trials"
    if shown["status_counts"].get("complete") and (shown["best"] is None or shown["best"].get("objective") is None):
        return "complete trials but no best objective"
    return n


def reader_soak(seed: int, rounds: int, readers: int, budget: int, workdir: Path) -> dict[str, Any]:
    """The same writer with and without readers; trials/s from the search's own loop time."""
    out: dict[str, Any] = {}
    writer = Config("readers-writer", "evolution", NB201, budget)
    for with_readers in (False, True):
        counts, rates, walls = ReaderCounts(), [], []
        for r in range(rounds):
            study = workdir / f"readers-{int(with_readers)}-{r}.db"
            stop = threading.Event()
            per = [ReaderCounts() for _ in range(readers if with_readers else 0)]
            threads = [threading.Thread(target=read_loop, args=(study, workdir / f"plot{i}.png", stop, c))
                       for i, c in enumerate(per)]  # fmt: skip
            for t in threads:
                t.start()
            done = run_nas(writer.search(seed + r, study))
            stop.set()
            for t in threads:
                t.join()
            for c in per:
                counts.add(c)
            if done.error:
                raise SystemExit(f"the writer failed: {done.error}")
            shown = json.loads(subprocess.run([NAS, "show", str(study), "--json"], capture_output=True, text=True).stdout)
            rates.append(shown["trials"] / shown["budget_used"]["wall_seconds"])
            walls.append(done.seconds)
        key = "with_readers" if with_readers else "without_readers"
        out[key] = {"trials_per_second": [round(x, 1) for x in rates], "process_seconds": [round(x, 2) for x in walls],
                    "mean_trials_per_second": round(sum(rates) / len(rates), 1)}  # fmt: skip
        if with_readers:
            out[key].update(vars(counts))
    out["writer_command"] = shlex.join(["nas", *writer.search(seed, Path("F"))])
    out["reader_commands"] = ["nas show F --json", "nas plot F -o P.png"]
    out["readers"], out["rounds"] = readers, rounds
    return out


# -- main -----------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs per configuration")
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--seed", type=int, default=0, help="the searches' seed and the kill moments' seed")
    parser.add_argument("--output", type=Path, default=RESULTS / "fault_soak.json")
    parser.add_argument("--failures-dir", type=Path, default=Path(tempfile.gettempdir()) / "nas_fault_soak_failures")
    parser.add_argument("--reader-rounds", type=int, default=8, help="searches timed with and without readers (0: skip)")
    parser.add_argument("--reader-budget", type=int, default=3000, help="trials of the written search")
    parser.add_argument("--add", action="store_true",
                        help="add to an existing --output (a soak in several sittings): what it holds is kept "
                             "unless measured again, and each sitting's command is listed")  # fmt: skip
    args = parser.parse_args(argv)
    command = shlex.join(["python", "benchmarks/fault_soak.py", *(sys.argv[1:] if argv is None else argv)])
    print(command, flush=True)
    report: dict[str, Any] = {"machine_cpus": os.cpu_count(), "sittings": [], "configs": {}}
    if args.add and args.output.exists():
        report = json.loads(args.output.read_text())
        if "command" in report:  # written by a single sitting before --add existed
            report["sittings"] = [{k: report.pop(k) for k in ("command", "started", "wall_seconds", "complete")}]
    sitting = {"command": command, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["sittings"].append(sitting)
    start = time.monotonic()

    def save(complete: bool) -> None:
        """Rewritten after every run, so a stopped soak keeps what it measured (a configuration
        stopped short says so: ``kills`` below ``kills_asked``)."""
        sitting.update(wall_seconds=round(time.monotonic() - start, 1), complete=complete)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=1) + "\n")

    with tempfile.TemporaryDirectory(prefix="nas_fault_soak_") as tmp:
        for name in args.configs:
            print(f"{name}: {args.kills} kills", flush=True)

            def record(so_far: Soak, name: str = name) -> None:
                report["configs"][name] = {"sitting": command, **so_far.summary()}
                save(False)

            record(soak(CONFIGS[name], args.kills, args.seed, Path(tmp), args.failures_dir, record))
        if args.reader_rounds:
            print("readers", flush=True)
            readers = reader_soak(args.seed, args.reader_rounds, 4, args.reader_budget, Path(tmp))
            report["readers"] = {"sitting": command, **readers}
    save(True)
    print_summary(report)
    print(f"wrote {args.output}")


def print_summary(report: dict[str, Any]) -> None:
    print(f"\n{'config':<13}{'kills':>6}{'runs':>6}{'ok':>5}  {'matches':<8}{'seconds':>9}  first difference / error")
    for c in report["configs"].values():
        verdict = "error" if c["reference_error"] else ("yes" if c["exact_match"] else "NO")
        detail = c["reference_error"] or c["first_difference"] or ""
        print(f"{c['config']:<13}{c['kills']:>6}{c['runs']:>6}{c['runs_ok']:>5}  {verdict:<8}{c['seconds']:>9}  {detail}")
    if "readers" in report:
        r = report["readers"]
        w = r["with_readers"]
        print(f"\nreaders: {w['polls']} polls, {w['errors']} errors, {w['locked']} locked, {w['torn']} torn; "
              f"trials/s {r['without_readers']['mean_trials_per_second']} without readers, "
              f"{w['mean_trials_per_second']} with {r['readers']}")  # fmt: skip


if __name__ == "__main__":
    main()
