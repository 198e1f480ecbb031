"""One torch thread for every test here (the kit's fixture): Optuna's GP sampler fits its model
with torch, on a handful of points, where a second thread only waits for a core."""

from nas_core.testing import torch_on_one_thread  # noqa: F401 (an autouse fixture)
