"""A pickle that runs a command when loaded, to show that nas never loads one from a file."""

import os
from pathlib import Path
from typing import Any


class Planted:
    """Unpickling it runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, (f"touch {self.marker}",)
