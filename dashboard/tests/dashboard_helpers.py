"""Running ``nas dashboard`` as users do (a process of its own) and a real headless Chromium on
it, and files of hostile strings to show; shared by the tests and ``benchmarks/dashboard_load.py``."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# What a hostile file could put in front of a reader: each would run if the page took it as HTML.
HOSTILE_NAME = "<img src=x onerror=window.pwned=1>"
HOSTILE_TOKENS = ("<script>window.pwned=2</script>", "<b>bold</b>", "conv")


def hostile_table(path: Path) -> Path:
    """A benchmark table whose architectures and metric name are markup."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["arch", "valid_acc", "test_acc", "cost_seconds", HOSTILE_NAME])
        for k, (a, b) in enumerate(itertools.product(HOSTILE_TOKENS, repeat=2)):
            writer.writerow([json.dumps([a, b]), 60 + 3 * k, 59 + 3 * k, 10, 100 - k])
    return path


NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))
CHROMIUM = os.environ.get("NAS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NAS_CHROMEDRIVER", "/usr/bin/chromedriver")


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (Debian: apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install 'nas-dashboard[test]')"
    return None


class Address(str):
    """A running dashboard's address; ``pid`` is its process."""

    pid: int


@contextmanager
def dashboard(*paths: str | Path, extra: Sequence[str] = ()) -> Iterator[Address]:
    """``nas dashboard PATHS --port 0`` in a process of its own; yields its address."""
    process = subprocess.Popen([NAS, "dashboard", *map(str, paths), "--port", "0", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("nas dashboard: http://"):
            process.kill()
            raise RuntimeError(f"nas dashboard did not start: {line}{process.stderr.read() if process.stderr else ''}")
        address = Address(line.split()[2].rstrip("/"))
        address.pid = process.pid
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET (an error status is an answer too)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url: str) -> tuple[int, Any]:
    status, _, body = get(url)
    return status, json.loads(body)


def chrome(width: int = 1400, height: int = 1000) -> Any:
    """A headless Chromium driven by the system's chromedriver (nothing is downloaded)."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium manager: never fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                     "--disable-extensions", "--no-first-run", "--disable-background-networking"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(predicate: Any, timeout: float = 20.0, every: float = 0.1, what: str = "") -> Any:
    """The first truthy value of ``predicate()`` within ``timeout`` seconds, else AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(every)


def open_page(driver: Any, url: str, timeout: float = 30.0) -> float:
    """Load a dashboard page and wait until it has rendered once; milliseconds from the start of
    navigation to that first render (as the page measured it)."""
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.body && document.body.dataset.ready === '1'"), timeout, what=f"{url} to render")
    return float(driver.execute_script("return window.nasFirstRender"))


def charts_drawn(driver: Any, timeout: float = 30.0) -> float:
    """Wait until the page's charts are drawn too; milliseconds from the start of navigation."""
    wait_for(lambda: driver.execute_script("return document.body.dataset.charted === '1'"), timeout, what="the charts")
    return float(driver.execute_script("return window.nasChartsDrawn"))


def full_screenshot(driver: Any, path: Path, width: int = 1400) -> None:
    """The whole page, as tall as its content (its charts drawn)."""
    if driver.execute_script("return document.body.dataset.page !== 'index'"):
        charts_drawn(driver)
    driver.execute_script("document.querySelectorAll('.scroll').forEach((e) => { e.scrollLeft = 0; }); window.scrollTo(0, 0);")
    driver.set_window_size(width, 800)  # measured from a short window: a tall one is never "too tall"
    time.sleep(0.2)
    height = int(driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)"))
    driver.set_window_size(width, min(max(height, 600), 4000))
    time.sleep(0.4)  # plotly re-lays out responsive charts on resize
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


def cpu_seconds(*roots: int) -> float:
    """CPU time (user and system) used so far by these processes and all their descendants."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, list(roots)
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += children.get(pid, [])
    return total
