"""``nas dashboard`` as a process, through its HTTP API: what it lists, what it refuses, that it
never writes, and that a bad file is an answer rather than a server error."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

import nas_core
from dashboard_helpers import HOSTILE_NAME, HOSTILE_TOKENS, NAS, dashboard, get, get_json


@pytest.fixture(scope="module")
def url(shown: Path) -> Iterator[str]:
    with dashboard(shown) as address:
        yield address


def query(route: str, path: Path | str, **extra: object) -> str:
    return f"/api/{route}?" + urllib.parse.urlencode({"path": str(path), **extra})


def test_the_list_has_every_file_and_a_row_for_each_that_cannot_be_shown(url: str, shown: Path) -> None:
    status, listing = get_json(url + "/api/files")
    assert status == 200
    studies = {row["name"]: row for row in listing["studies"]}
    assert set(studies) == {"evolution.db", "hostile.db"}
    evolution = studies["evolution.db"]
    assert evolution["plugins"] == ["evolution"] and evolution["trials"] == 120 and evolution["state"] == "finished"
    assert evolution["left"] == {"trials": 0, "seconds": None}
    assert evolution["best_objective"] == nas_core.summarize(shown / "evolution.db")["best"]["objective"]
    assert [row["name"] for row in listing["benches"]] == ["bench.json"]
    assert listing["benches"][0]["plugins"] == ["random", "evolution"] and listing["benches"][0]["complete"]
    problems = {row["name"]: row["error"] for row in listing["problems"]}
    assert "not a nas study or is corrupt" in problems["corrupt.db"]
    assert problems["notes.json"] == "not a nas bench result (no runs and optimum)"


def test_a_new_file_is_listed_without_a_restart(url: str, shown: Path) -> None:
    nas_core.search("random", benchmark="nb201", dataset="cifar10", budget=3, storage=shown / "later" / "new.db")
    try:
        _, listing = get_json(url + "/api/files")
        assert any(row["path"] == str(shown / "later" / "new.db") and row["trials"] == 3 for row in listing["studies"])
    finally:
        (shown / "later" / "new.db").unlink()
        (shown / "later").rmdir()


def test_a_study_its_table_sorted_filtered_paged_and_its_pareto_front(url: str, shown: Path) -> None:
    db = shown / "evolution.db"
    status, page = get_json(url + query("study", db))
    assert status == 200 and page["trials"] == 120 and page["state"] == "finished"
    objectives = [r["objective"] for r in nas_core.load_study(db).table().records]
    assert page["curve"]["best"][-1] == max(objectives) and page["curve"]["trial"][-1] == 120
    assert page["curve"]["best"] == sorted(page["curve"]["best"])
    _, unchanged = get_json(url + query("study", db, since=page["version"]))
    assert unchanged == {"version": page["version"], "unchanged": True}

    _, rows = get_json(url + query("study/trials", db, sort="objective", desc=1, limit=10, offset=5))
    column = rows["columns"].index("objective")
    assert [r[column] for r in rows["rows"]] == sorted(objectives, reverse=True)[5:15]
    assert rows["matched"] == rows["total"] == 120
    some_arch = nas_core.load_study(db).table().records[7]["arch"]
    _, found = get_json(url + query("study/trials", db, q=some_arch[:30].upper()))
    assert found["matched"] >= 1 and all(some_arch[:30] in r[found["columns"].index("arch")] for r in found["rows"])
    _, none = get_json(url + query("study/trials", db, status="failed"))
    assert none["matched"] == 0 and none["rows"] == []

    _, front = get_json(url + query("study/pareto", db, x="valid_acc", y="params", xdir="max", ydir="min"))
    points = list(zip(front["x"], front["y"]))
    on_front = {points[i] for i in front["front"]}
    for x, y in on_front:  # nothing beats a point of the front in both
        assert not any(a >= x and b <= y and (a, b) != (x, y) for a, b in points)
    for i, (x, y) in enumerate(points):  # and every other point is beaten
        if i not in front["front"]:
            assert any(a >= x and b <= y and (a, b) != (x, y) for a, b in points)


def test_a_gpnas_study_shows_its_predictions_against_the_actual_accuracies(gpnas_folder: Path) -> None:
    db = gpnas_folder / "gpnas.db"
    records = nas_core.load_study(db).table().records
    passed = [r for r in records if r["status"] == "complete" and r["gpnas_predicted"] is not None]
    assert len(passed) >= 5
    with dashboard(gpnas_folder) as address:
        status, page = get_json(address + query("study", db))
    assert status == 200
    panels = {panel["id"]: panel for panel in page["panels"]}
    versus, error = panels["predictor-vs-actual"], panels["predictor-error"]
    assert versus["series"][0]["x"] == [r["objective"] for r in passed]
    assert versus["series"][0]["y"] == [r["gpnas_predicted"] for r in passed]
    assert error["series"][0]["x"] == [r["trial_id"] for r in passed]
    assert error["series"][0]["y"] == pytest.approx([r["gpnas_predicted"] - r["objective"] for r in passed])
    first = [abs(r["gpnas_predicted"] - r["objective"]) for r in passed[:3]]
    assert error["series"][1]["y"][:3] == pytest.approx([first[0], sum(first[:2]) / 2, sum(first) / 3])  # the moving mean
    assert "predictor" in panels  # the skipped candidates' predictions, as before


def test_architecture_pictures_are_svg_with_every_label_escaped(url: str, shown: Path) -> None:
    status, headers, body = get(url + query("study/arch.svg", shown / "evolution.db", trial="answer"))
    assert status == 200 and headers["content-type"] == "image/svg+xml" and b"<svg" in body and b"input" in body
    answers = [get(url + query("study/arch.svg", shown / "hostile.db", trial=t)) for t in range(6)]
    assert {status for status, _, _ in answers} == {200}
    text = " ".join(body.decode() for _, _, body in answers)
    assert "<script" not in text and "<b>" not in text
    assert "&lt;script&gt;window.pwned=2&lt;/script&gt;" in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    status, missing = get_json(url + query("study/trial", shown / "evolution.db", trial=999))
    assert status == 422 and missing["error"] == f"no trial 999 in {shown / 'evolution.db'}"


def test_strings_from_files_reach_the_page_as_data_only(url: str, shown: Path) -> None:
    _, page = get_json(url + query("study", shown / "hostile.db"))
    assert HOSTILE_NAME in page["benchmark"] and HOSTILE_NAME in page["columns"]
    _, rows = get_json(url + query("study/trials", shown / "hostile.db"))
    archs = " ".join(r[rows["columns"].index("arch")] for r in rows["rows"])
    assert any(token in archs for token in HOSTILE_TOKENS[:2])
    status, headers, html = get(url + "/study")
    assert status == 200 and b"<script src=\"/static/app.js\"" in html
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
    assert b"innerHTML" not in get(url + "/static/app.js")[2]


def test_a_bench_file_gives_nas_plot_s_bands_the_summary_and_every_seed(url: str, shown: Path) -> None:
    status, page = get_json(url + query("bench", shown / "bench.json"))
    result = json.loads((shown / "bench.json").read_text())
    assert status == 200 and [band["label"] for band in page["bands"]] == ["random", "evolution"]
    assert page["bands"][0]["mean"] == list(nas_core.regret_bands(result)[0].mean)
    assert [row["label"] for row in page["summary"]] == ["random", "evolution"]
    assert page["finals"][1]["valid"] == [run["final_valid"] for run in result["runs"]["evolution"]]


@pytest.mark.parametrize("requested", ["/etc/passwd", "{shown}/../outside.db", "relative.db", "{shown}/link.db"])
def test_paths_outside_the_folders_are_refused(url: str, shown: Path, requested: str) -> None:
    outside = shown.parent / "outside.db"
    nas_core.search("random", benchmark="nb201", dataset="cifar10", budget=2, storage=outside) if not outside.exists() else None
    link = shown / "link.db"
    if not link.is_symlink():
        link.symlink_to(outside)
    try:
        status, answer = get_json(url + query("study", requested.format(shown=shown)))
        assert status == 403 and ("outside the folders" in answer["error"] or "not an absolute path" in answer["error"])
        _, listing = get_json(url + "/api/files")
        assert not any("link.db" in row["path"] or "outside" in row["path"] for kind in ("studies", "problems") for row in listing[kind])
    finally:
        link.unlink()


def test_a_request_addressed_to_another_host_name_is_refused(url: str) -> None:
    """A web page whose DNS name points at 127.0.0.1 cannot read the dashboard through it."""
    status, _, _ = get(url + "/api/files", headers={"Host": "attacker.example"})
    assert status == 400
    assert get(url + "/api/files", headers={"Host": "localhost"})[0] == 200


def test_unreadable_files_are_json_errors_not_server_errors(url: str, shown: Path) -> None:
    for route, path in (("study", shown / "corrupt.db"), ("bench", shown / "notes.json"), ("study", shown / "bench.json"),
                        ("study", shown / "missing.db"), ("bench", shown / "evolution.db")):  # fmt: skip
        status, answer = get_json(url + query(route, path))
        assert status == 422 and answer["error"], (route, path)
    status, answer = get_json(url + query("study/trials", shown / "evolution.db", offset="many"))
    assert status == 400 and answer["error"] == "not an integer: 'many'"


def test_the_dashboard_never_writes(shown: Path) -> None:
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in shown.rglob("*") if p.is_file()}
    with dashboard(shown) as address:
        _, listing = get_json(address + "/api/files")
        for row in listing["studies"]:
            get(address + query("study", row["path"]))
            get(address + query("study/trials", row["path"], sort="objective"))
            get(address + query("study/arch.svg", row["path"], trial="answer"))
        for row in listing["benches"]:
            get(address + query("bench", row["path"]))
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in shown.rglob("*") if p.is_file()}
    assert after == before


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([NAS, "dashboard", str(tmp_path), "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert len(done.stderr.strip().splitlines()) == 1
    missing = subprocess.run([NAS, "dashboard", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no such file or folder: ")


def test_nas_lists_the_command_its_distribution_adds() -> None:
    listed = subprocess.run([NAS, "--help"], capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert "dashboard" in listed.stdout and "read-only web view" in listed.stdout
