"""Running the real ``nas`` executable in a subprocess, as users and scripts do."""

import json
import os
import signal
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))


def nas(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([NAS, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=os.environ.copy())


def nas_json(*args: str, cwd: Path | None = None) -> Any:
    done = nas(*args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _hear_ctrl_c() -> None:
    """Ctrl-C as a terminal delivers it: a test run started in the background of a shell (as CI
    may be) has SIGINT ignored, and a child that inherits that never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen(*args: str, own_group: bool = False) -> subprocess.Popen:
    """``own_group``: in a new process group, so a test can kill the driver with its workers."""
    return subprocess.Popen([NAS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ.copy(), start_new_session=own_group, preexec_fn=_hear_ctrl_c)  # fmt: skip


def pip_install_offline(sources: Sequence[Path], target: Path) -> dict[str, str]:
    """Install plugin distributions from their folders into ``target`` as ``pip install`` would,
    offline: no index, no build isolation and no dependencies (nas-core is already installed).

    Returns the environment in which Python, pytest and ``nas`` see them: ``target`` first on
    ``PYTHONPATH``, so their entry points are found as those of any installed distribution.
    """
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
         "--target", str(target), *map(str, sources)],  # fmt: skip
        check=True,
        capture_output=True,
    )
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")])}
