"""CONTRIBUTING's example plugin installs from its folder and runs through its entry point."""

import json
import subprocess
import sys
from pathlib import Path

from cli_helpers import NAS, pip_install_offline

REPO = Path(__file__).resolve().parents[1]


def test_the_example_plugin_installs_and_runs(tmp_path: Path) -> None:
    target = tmp_path / "site"
    env = pip_install_offline([REPO / "plugins" / "hillclimb"], target)
    assert (target / "nas_hillclimb" / "plugin.py").is_file()
    where = subprocess.run([sys.executable, "-c", "import nas_hillclimb; print(nas_hillclimb.__file__)"],
                           env=env, capture_output=True, text=True, check=True)  # fmt: skip
    assert where.stdout.startswith(str(target))
    listed = json.loads(subprocess.run([NAS, "plugins", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    assert any(p["name"] == "hillclimb" and p["hooks"] == ["nas_configure", "nas_propose", "nas_update"] for p in listed)
    searched = subprocess.run(
        [NAS, "search", "--plugin", "hillclimb", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "40",
         "--storage", str(tmp_path / "s.db"), "--json"],  # fmt: skip
        env=env, capture_output=True, text=True,
    )
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["trials"] == 40
