"""The dashboard in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``),
driven by selenium: the pages render, update while a search writes, sort, draw, and show every
hostile string as text. Each page's screenshot is saved to ``docs/screenshots`` (the README shows
them), or to ``$NAS_DASHBOARD_SCREENSHOTS``.

Without Chromium the tests are skipped, saying why, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import nas_core
from dashboard_helpers import HOSTILE_NAME, NAS, chrome, chromium_missing, dashboard, full_screenshot, open_page, wait_for

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("NAS_DASHBOARD_SCREENSHOTS", REPO / "docs" / "screenshots"))
MISSING = chromium_missing()
IN_CI = os.environ.get("CI") == "true"

pytestmark = pytest.mark.skipif(MISSING is not None and not IN_CI, reason=f"no headless Chromium here: {MISSING}")


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if MISSING is not None:
        pytest.fail(f"CI runs the browser tests, but {MISSING}")
    browser = chrome()
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def url(shown: Path) -> Iterator[str]:
    with dashboard(shown) as address:
        yield address


def page(url: str, kind: str, path: Path | str) -> str:
    return f"{url}/{kind}?" + urllib.parse.urlencode({"path": str(path)})


def texts(driver: Any, selector: str) -> list[str]:
    return driver.execute_script(f"return [...document.querySelectorAll({selector!r})].map((e) => e.textContent)")


def column(driver: Any, name: str) -> list[str]:
    """The cells of one column of the trial table, as shown."""
    return driver.execute_script(
        "const i = [...document.querySelectorAll('#trials thead th')].findIndex((th) => th.dataset.column === arguments[0]);"
        "return [...document.querySelectorAll('#trials tbody tr')].map((tr) => tr.children[i].textContent);", name)


def test_the_list_of_studies_bench_results_and_files_that_cannot_be_shown(driver: Any, url: str) -> None:
    open_page(driver, url + "/")
    studies = texts(driver, "#studies tbody tr td:first-child")
    assert studies == ["evolution.db", "hostile.db"]
    assert texts(driver, "#benches tbody tr td:first-child") == ["bench.json"]
    problems = dict(zip(texts(driver, "#problems tbody td:nth-child(1)"), texts(driver, "#problems tbody td:nth-child(2)")))
    assert "not a nas study or is corrupt" in problems["corrupt.db"] and set(problems) == {"corrupt.db", "notes.json"}
    hostile_row = texts(driver, "#studies tbody tr:nth-child(2) td")
    assert HOSTILE_NAME in hostile_row[2]  # the table's file name, as text
    assert driver.execute_script("return window.pwned === undefined && document.querySelectorAll('main img').length === 0")
    full_screenshot(driver, SCREENSHOTS / "list.png")


def test_a_study_sorts_its_table_and_draws_a_trial_and_its_answer(driver: Any, url: str, shown: Path) -> None:
    objectives = [r["objective"] for r in nas_core.load_study(shown / "evolution.db").table().records]
    open_page(driver, page(url, "study", shown / "evolution.db"))
    sorted_as = "return document.querySelector(\"#trials th[data-column='objective']\").className"
    driver.find_element("css selector", "#trials th[data-column='objective']").click()  # objective sorts best first
    wait_for(lambda: "sorted-desc" in driver.execute_script(sorted_as) and float(column(driver, "objective")[0]) == max(objectives),
             what="the table sorted by objective, descending")  # fmt: skip
    shown_values = [float(v) for v in column(driver, "objective")]
    assert shown_values == sorted(shown_values, reverse=True) and len(shown_values) == 50
    driver.find_element("css selector", "#trials th[data-column='objective']").click()
    wait_for(lambda: "sorted-asc" in driver.execute_script(sorted_as) and float(column(driver, "objective")[0]) == min(objectives),
             what="ascending")

    driver.find_element("css selector", "#trials tbody tr:nth-child(3)").click()
    loaded = "const img = document.querySelector(arguments[0]); return img.complete && img.naturalWidth > 0;"
    wait_for(lambda: driver.execute_script(loaded, "#trial-drawing"), what="the trial's picture")
    assert driver.execute_script(loaded, "#answer-drawing")
    picture = driver.execute_script("return document.querySelector('#trial-drawing').src")
    assert "/api/study/arch.svg" in picture
    assert "non-dominated" in wait_for(lambda: driver.find_element("css selector", "#pareto-info").text, what="the Pareto front")
    assert driver.execute_script("return document.querySelectorAll('#curve-trials .scatterlayer .trace').length") == 1
    full_screenshot(driver, SCREENSHOTS / "study.png")


def test_a_study_updates_while_a_search_writes_it(driver: Any, url: str, shown: Path) -> None:
    """A real search holds after 5 trials (until a gate file exists, however loaded the machine),
    the page shows them and the search running, then the rest arrive while the page is open."""
    db, gate = shown / "live.db", shown.parent / "live.gate"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])}
    search = subprocess.Popen([NAS, "search", "--plugin", "random", "--plugin", "nastest_plugins.slow", "--benchmark", "nb201",
                               "--dataset", "cifar10", "--budget", "30", "--slow-seconds", "0.15", "--slow-hold-at", "5",
                               "--slow-gate", str(gate), "--storage", str(db), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        wait_for(lambda: db.exists() and _trials(db) == 5, timeout=60, what="the search's first 5 trials")

        def shown_trials() -> int:
            note = driver.find_element("css selector", "#live").text
            return int(note.split()[0]) if note.split() and note.split()[0].isdigit() else -1

        open_page(driver, page(url, "study", db))
        assert shown_trials() == 5 and driver.find_element("css selector", "#state").text == "running"
        full_screenshot(driver, SCREENSHOTS / "live.png")
        gate.touch()
        wait_for(lambda: shown_trials() > 5, timeout=60, what="the trial count to grow")
        assert search.wait(timeout=120) == 0, search.stderr.read() if search.stderr else ""
        wait_for(lambda: driver.find_element("css selector", "#state").text == "finished" and shown_trials() == 30, timeout=60,
                 what="all 30 trials and the finished state")  # fmt: skip
    finally:
        search.kill()
        search.wait()
        db.unlink(missing_ok=True)  # the folder is shared with the other tests
        gate.unlink(missing_ok=True)


def _trials(db: Path) -> int:
    try:
        return len(nas_core.load_study(db).table().records)
    except nas_core.StorageError:  # created, its tables not written yet
        return -1


def test_a_bench_result(driver: Any, url: str, shown: Path) -> None:
    open_page(driver, page(url, "bench", shown / "bench.json"))
    assert texts(driver, "#bench-summary tbody td:first-child") == ["random", "evolution"]
    assert driver.execute_script("return document.querySelectorAll('#regret .scatterlayer .trace').length") == 4  # a band and a mean each
    points = driver.execute_script("return document.querySelectorAll('#finals .point').length")
    assert points == 6  # three seeds per set
    full_screenshot(driver, SCREENSHOTS / "bench.png")


def test_a_gpnas_study_draws_its_predictor_s_error(driver: Any, gpnas_folder: Path) -> None:
    with dashboard(gpnas_folder) as address:
        open_page(driver, page(address, "study", gpnas_folder / "gpnas.db"))
        drawn = "return document.querySelectorAll(`section[data-panel='${arguments[0]}'] .scatterlayer .point`).length"
        wait_for(lambda: driver.execute_script(drawn, "predictor-error") > 0, what="the predictor's error drawn")
        assert driver.execute_script(drawn, "predictor-vs-actual") >= 5
        full_screenshot(driver, SCREENSHOTS / "gpnas.png")


def test_hostile_strings_show_as_text(driver: Any, url: str, shown: Path) -> None:
    open_page(driver, page(url, "study", shown / "hostile.db"))
    archs = " ".join(column(driver, "arch"))
    assert "<script>window.pwned=2</script>" in archs or "<b>bold</b>" in archs
    assert driver.execute_script("return window.pwned === undefined && document.querySelectorAll('#trials b, #trials script').length === 0")
    select = driver.find_element("css selector", "#pareto-y")
    assert HOSTILE_NAME in [o.text for o in select.find_elements("css selector", "option")]
    driver.execute_script("const s = document.querySelector('#pareto-y'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
                          HOSTILE_NAME)  # fmt: skip
    wait_for(lambda: texts(driver, "#pareto .ytitle") == [HOSTILE_NAME], what="the metric's name as the axis title")
    assert driver.execute_script("return window.pwned === undefined")


def test_a_path_outside_the_folders_and_a_corrupt_file_are_errors_on_the_page(driver: Any, url: str, shown: Path) -> None:
    for path, message in (("/etc/passwd", "outside the folders this dashboard shows"), (shown / "corrupt.db", "not a nas study or is corrupt")):
        driver.get(page(url, "study", path))
        wait_for(lambda: message in driver.find_element("css selector", "#error").text, what=message)  # noqa: B023


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
