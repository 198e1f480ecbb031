"""Bring-your-own tables: the documented format, its card, and searches on it."""

import csv
import json
from pathlib import Path

import pytest

from nas_core.tables.loader import load_benchmark
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import DataError, TrialError
from nas_core.session import open_session
from nas_core.spaces.base import Capability
from nas_core.types import Status

DIGITS = "012"


def write_grid_table(path: Path, *, fidelities: tuple[int, ...] = ()) -> list[dict]:
    """All 3**4 encodings '0000'..'2222'; accuracy rises with the digit sum."""
    rows = []
    for n in range(3**4):
        code = "".join(DIGITS[(n // 3**k) % 3] for k in range(4))
        score = sum(map(int, code))
        for level in fidelities or (None,):
            row = {"arch": code, "valid_acc": 50 + 5 * score - (0 if level is None else 10 / level),
                   "test_acc": 49 + 5 * score, "cost_seconds": 10 + score, "params": score / 10,
                   "note": f"row{n}"}  # fmt: skip
            if level is not None:
                row["fidelity"] = level
            rows.append(row)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_a_csv_in_the_documented_format_is_a_benchmark(tmp_path: Path) -> None:
    write_grid_table(tmp_path / "grid.csv")
    bench = load_benchmark(str(tmp_path / "grid.csv"), None, None)
    assert len(bench) == 81 and bench.space.size == 81
    assert bench.optimum.valid_acc == 90 and bench.optimum.keys == {"table:2222"}
    assert bench.optimum.exhaustive_valid_acc == 90  # the objective is valid_acc itself: no noise
    arch = bench.space.decode({"kind": "table", "encoding": "1021"})
    result = bench.query(arch)
    assert result.objective == result.metrics["valid_acc"] == 70
    assert result.cost_seconds == 14 and "cost_seconds" not in result.metrics
    assert result.info["note"] == "row46"  # 1 + 0*3 + 2*9 + 1*27
    assert {a.encoding for a in bench.space.neighbours(arch)} >= {"0021", "1121", "1001", "1022"}
    assert len(bench.space.neighbours(arch)) == 8
    assert Capability.CONFIGSPACE in bench.space.capabilities


def test_fidelity_rows(tmp_path: Path) -> None:
    write_grid_table(tmp_path / "grid.csv", fidelities=(1, 5, 10))
    bench = load_benchmark(str(tmp_path / "grid.csv"), None, None)
    arch = bench.space.decode({"kind": "table", "encoding": "2222"})
    assert bench.fidelities == (1, 5, 10)
    assert bench.query(arch).objective == 89  # highest fidelity by default
    assert bench.query(arch, 1).objective == 80
    with pytest.raises(TrialError, match="no fidelity 3"):
        bench.query(arch, 3)


def test_a_card_maps_foreign_column_names_and_tokens(tmp_path: Path) -> None:
    records = [{"net": f"[{a}, {b}]", "val": 60.0 + a + b, "tst": 59.0 + a} for a in range(4) for b in range(4)]
    (tmp_path / "nets.json").write_text(json.dumps(records))
    (tmp_path / "card.toml").write_text(
        'file = "nets.json"\nname = "nets"\ntokens = "json"\n[columns]\narch = "net"\nvalid_acc = "val"\ntest_acc = "tst"\n'
    )
    bench = load_benchmark(str(tmp_path / "card.toml"), "mydata", None)
    assert bench.name == "nets" and bench.dataset == "mydata"
    assert bench.optimum.valid_acc == 66
    arch = bench.space.decode({"kind": "table", "encoding": "[3, 3]"})
    assert arch.tokens == ("3", "3") and bench.query(arch).metrics["test_acc"] == 62


def test_json_lines_tables(tmp_path: Path) -> None:
    lines = [json.dumps({"arch": f"{a}-{b}", "valid_acc": a * b}) for a in range(3) for b in range(3)]
    (tmp_path / "t.jsonl").write_text("\n".join(lines))
    bench = load_benchmark(str(tmp_path / "t.jsonl"), None, None)
    assert bench.space.decode({"kind": "table", "encoding": "2-1"}).tokens == ("2", "1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("arch,accuracy\n01,5\n", "no 'valid_acc' column"),
        ("arch,valid_acc\n01,high\n", "'valid_acc' must be numeric"),
        ("arch,valid_acc\n01,5\n01,6\n", "lists '01' twice"),
        ("arch,valid_acc\n", "has no rows"),
    ],
)
def test_malformed_tables_are_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.csv").write_text(content)
    with pytest.raises(DataError, match=message):
        load_benchmark(str(tmp_path / "bad.csv"), None, None)


@pytest.mark.parametrize("strategy", ["random", "evolution", "hillclimb"])
def test_strategies_search_any_table(tmp_path: Path, strategy: str) -> None:
    write_grid_table(tmp_path / "grid.csv")
    spec = RunSpec((strategy,), Budget(trials=30), seed=1, benchmark=str(tmp_path / "grid.csv"))
    session = open_session(spec)
    session.run()
    assert session.study.usage.trials == 30
    assert session.study.best.result.objective >= 80
    session.close()


def test_a_small_table_is_searched_to_exhaustion(tmp_path: Path) -> None:
    (tmp_path / "five.csv").write_text("arch,valid_acc\n" + "".join(f"{c},{i}\n" for i, c in enumerate("abcde")))
    session = open_session(RunSpec(("random",), Budget(trials=10), benchmark=str(tmp_path / "five.csv")))
    reason = session.run()
    assert "exhausted" in reason and len(session.study.trials) == 5
    session.close()


def test_a_filter_that_predicts_everything_cannot_keep_the_search_running(tmp_path: Path) -> None:
    (tmp_path / "five.csv").write_text("arch,valid_acc\n" + "".join(f"{c},{i}\n" for i, c in enumerate("abcde")))
    spec = RunSpec(("random", "nastest_plugins.predict_all"), Budget(trials=10), benchmark=str(tmp_path / "five.csv"))
    session = open_session(spec)
    reason = session.run()
    assert "no budget spent" in reason and session.study.usage.trials == 0
    assert {t.result.status for t in session.study.trials} == {Status.PREDICTED}
    session.close()
