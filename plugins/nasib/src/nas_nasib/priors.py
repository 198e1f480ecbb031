"""Priors over a layer's candidates (section 3.4: expert bias instead of the uniform start).

A prior gives some candidates a weight (positive; the others weigh 1), the same in every layer:
from the flag, ``--nasib-prior "3x3=2,conv5x1=1.5"``, or from a JSON file holding one object,
``{"3x3": 2, "conv5x1": 1.5}``. A key is a candidate's token (``sep7x7``) or a kernel shape
(``3x3``), which weights every candidate of that shape (in the narrow set: conv, sep and pools).
The search starts each layer's alphas at ``ln(weight)`` (so softmax(alpha) is proportional to
the weights) and adds ``ln(weight)`` to the exploring policy's logits, so that favoured kernels
are also explored first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from nas_core import ArchitectureError, ConfigError

from nas_nasib.kernels import Kernel


def read_prior(text: str) -> dict[str, float]:
    """The weights a ``--nasib-prior`` value gives (empty: none); ConfigError if malformed."""
    text = text.strip()
    if not text:
        return {}
    if "=" in text:
        return dict(_pair(item) for item in text.split(",") if item.strip())
    return _from_file(Path(text))


def _pair(item: str) -> tuple[str, float]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--nasib-prior: malformed entry {item.strip()!r} (expected KERNEL=WEIGHT, e.g. 3x3=2)")
    return key.strip(), _weight(key.strip(), value.strip())


def _weight(key: str, value: object) -> float:
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"--nasib-prior: the weight of {key} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(weight) or weight <= 0:
        raise ConfigError(f"--nasib-prior: the weight of {key} must be a positive number, got {value!r}")
    return weight


def _from_file(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"--nasib-prior: no file {path} (give KERNEL=WEIGHT pairs such as 3x3=2, or a JSON file)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"--nasib-prior: cannot read {path} as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--nasib-prior: {path} must hold one JSON object of kernel: weight, got {type(data).__name__}")
    return {str(key): _weight(str(key), value) for key, value in data.items()}


def prior_weights(prior: Mapping[str, float], candidates: Sequence[str]) -> list[float]:
    """One weight per candidate; ConfigError for a key that names none of them."""
    weights = [1.0] * len(candidates)
    shapes = [Kernel.parse(c).shape for c in candidates]
    for key, weight in prior.items():
        hits = [i for i, (token, shape) in enumerate(zip(candidates, shapes)) if key in (token, shape)]
        if not hits:
            _check_kernel(key)
            raise ConfigError(f"--nasib-prior: {key} is not a candidate of the space (candidates: {', '.join(candidates)})")
        for i in hits:
            weights[i] = weight
    return weights


def _check_kernel(key: str) -> None:
    """ConfigError naming the grammar when ``key`` is neither a token nor a shape."""
    if "x" in key and all(part.isdigit() for part in key.split("x", 1)):
        return
    try:
        Kernel.parse(key)
    except ArchitectureError:
        raise ConfigError(f"--nasib-prior: {key!r} is not a kernel (give a shape such as 3x5 or a candidate such as sep7x7)") from None
