"""NASIB for nas: budget-aware differentiable search over superkernels, and the macro superkernel
space every strategy can search (``nasib-space``).

Modules: :mod:`~nas_nasib.kernels` (candidate sets), :mod:`~nas_nasib.space` (the space),
:mod:`~nas_nasib.network` and :mod:`~nas_nasib.supernet` (torch modules),
:mod:`~nas_nasib.policy` (P1/P2 and their schedule), :mod:`~nas_nasib.priors`,
:mod:`~nas_nasib.search` (the epoch engine), :mod:`~nas_nasib.plugin` (the hooks).
"""
