"""What the pages show of a study, continued snapshot by snapshot, equals nas show's numbers."""

from __future__ import annotations

from pathlib import Path

import nas_core

from nas_dashboard.studies import Progress, StudyFile


def test_a_study_read_again_after_more_trials_continues_its_sums(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    nas_core.search("evolution", benchmark="nb201", dataset="cifar10", budget=15, seed=3, storage=db)
    watched = StudyFile(db)
    before = watched.snapshot()
    nas_core.search("evolution", benchmark="nb201", dataset="cifar10", budget=40, seed=3, storage=db, resume=True)
    after = watched.snapshot()
    assert after.table.records[:15] == before.table.records and after.table.records[14] is before.table.records[14]
    summary = nas_core.summarize(db)
    assert after.row["trials"] == summary["trials"] == 40 and after.row["status_counts"] == summary["status_counts"]
    assert after.row["best_objective"] == summary["best"]["objective"] and after.row["used"] == summary["budget_used"]
    assert after.page["best"]["trial_id"] == summary["best"]["trial_id"] and after.row["state"] == "finished"
    records = nas_core.load_study(db).table().records
    assert after.progress == Progress().after(records) == Progress().after(records[:7]).after(records[7:])
    curve = after.page["curve"]
    assert curve["trial"][-1] == 40 and curve["best"][-1] == summary["best"]["objective"]
    assert all(a < b for a, b in zip(curve["best"], curve["best"][1:-1]))  # each point improves, the last continues
