"""Packaging as a library: the distributions' metadata give ranges (the exact versions the project
is tested with are in constraints.txt, which make and CI install with), plugins require the core's
minor series, and a plugin installs, offline from the checkout, into a fresh environment that has
only the core and the command line.

The fresh environment is a new venv whose third-party dependencies (torch, numpy, ...) are this
environment's, seen through a folder of links that leaves out every nas distribution: installing
them again would take minutes and a package index. The core, the command line and the plugin are
built into wheels from copies of their folders and installed by pip without an index, so pip
checks the plugin's requirement on the core against the core's real version.
"""

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECTS = [REPO / "pyproject.toml", REPO / "cli" / "pyproject.toml", REPO / "dashboard" / "pyproject.toml",
              *sorted(REPO.glob("plugins/*/pyproject.toml")), *sorted(REPO.glob("data/*/pyproject.toml"))]  # fmt: skip
CAPPED = {"torch": "3", "smac": "3", "configspace": "2"}  # below the next major of the tested version
CORE_SERIES = ">=0.1,<0.2"
IGNORE = shutil.ignore_patterns("__pycache__", "build", "*.egg-info")


def requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    return project.get("dependencies", []) + [r for extra in project.get("optional-dependencies", {}).values() for r in extra]


def split(requirement: str) -> tuple[str, str]:
    """(normalized name, version specifier) of a requirement such as ``nas-core[bohb]>=0.1,<0.2``."""
    name, specifier = re.match(r"\s*([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), specifier.replace(" ", "")


@pytest.mark.parametrize("pyproject", PYPROJECTS, ids=lambda p: str(p.parent.relative_to(REPO)) or "core")
def test_metadata_gives_ranges_and_plugins_require_the_core_s_series(pyproject: Path) -> None:
    for name, specifier in map(split, requirements(pyproject)):
        assert "==" not in specifier, f"{pyproject}: {name} is pinned ({specifier}); pins belong in constraints.txt"
        if name == "nas-core":
            assert specifier == CORE_SERIES, f"{pyproject}: nas-core{specifier}"
        elif name in CAPPED:
            assert ">=" in specifier and f"<{CAPPED[name]}" in specifier, f"{pyproject}: {name}{specifier}"
    core = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert core.startswith("0.1."), "the core left the 0.1 series: move every plugin's requirement with it"


def test_the_constraints_are_the_tested_versions() -> None:
    pins = [line.split("==") for line in (REPO / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert {name.lower() for name, _ in pins} >= {"torch", "numpy", "smac", "configspace", "click", "pytest"}
    for name, pinned in pins:
        assert version(name).split("+")[0] == pinned, f"{name} {version(name)} is installed, constraints.txt says {pinned}"


def wheel(folder: Path, wheels: Path) -> None:
    """Build the distribution in ``folder`` (a copy: the checkout gets no build folder), offline."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(wheels), str(folder)], check=True, capture_output=True)  # fmt: skip


def fresh_venv(root: Path) -> Path:
    """A venv whose only packages are this one's third-party dependencies; returns its ``bin``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    deps = root / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("nas_", "__editable__")) and entry.suffix != ".pth":
            (deps / entry.name).symlink_to(entry)
    site = next((root / "venv" / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(f"{deps}\n")
    return root / "venv" / "bin"


def test_a_plugin_installs_into_a_venv_that_has_only_the_core(tmp_path: Path) -> None:
    wheels, sources = tmp_path / "wheels", tmp_path / "src"
    shutil.copytree(REPO / "nas_core", sources / "nas-core" / "nas_core", ignore=IGNORE)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, sources / "nas-core")
    shutil.copytree(REPO / "cli", sources / "nas-cli", ignore=IGNORE)
    shutil.copytree(REPO / "plugins" / "hillclimb", sources / "nas-hillclimb", ignore=IGNORE)
    for folder in sorted(sources.iterdir()):
        wheel(folder, wheels)
    bin_ = fresh_venv(tmp_path)
    env = {"PATH": f"{bin_}:/usr/bin:/bin", "HOME": str(tmp_path)}

    def pip_install(*names: str) -> None:
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_ / "python"), "install", "--quiet",
                               "--no-index", "--find-links", str(wheels), *names],
                              capture_output=True, text=True, env=env)  # fmt: skip
        assert done.returncode == 0, done.stderr

    def installed() -> dict[str, str]:
        done = subprocess.run([str(bin_ / "nas"), "plugins", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return {row["name"]: row["distribution"] for row in json.loads(done.stdout)}

    pip_install("nas-core", "nas-cli")
    assert installed() == {"random": "nas-core", "evolution": "nas-core"}
    pip_install("nas-hillclimb")
    assert installed() == {"random": "nas-core", "evolution": "nas-core", "hillclimb": "nas-hillclimb"}
    tiny = next((tmp_path / "venv" / "lib").glob("python3*/site-packages/nas_core/data/nb201_cifar10_tiny.csv"))
    searched = subprocess.run([str(bin_ / "nas"), "search", "--plugin", "hillclimb", "--benchmark", str(tiny), "--budget", "5",
                               "--storage", str(tmp_path / "s.db"), "--json"], capture_output=True, text=True, env=env)  # fmt: skip
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["budget_used"]["trials"] == 5
