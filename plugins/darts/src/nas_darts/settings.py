"""``--darts-*``: the search's hyper-parameters, torch-free so options are declared without torch."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import ConfigError, Settings, cosine_lr, setting

from nas_darts.names import METHODS, SCHEDULES, SELECTIONS

# DARTS on CIFAR-10 (A.1.1): 25,000 alpha samples / batch 64 = 391 alpha steps per epoch, 50 epochs.
PAPER_ALPHA_STEPS = 391 * 50


@dataclass(frozen=True)
class SearchSettings(Settings, prefix="darts"):
    """Hyper-parameters of the search; defaults are DARTS' (CIFAR-10 search, Liu et al. 2019, A.1.1)
    except where ``--darts-schedule cpu`` (the default) fits them to a CPU and small data."""

    method: str = setting("second-order", "architecture gradient: DARTS first/second order, or MiLeNAS mixed-level", choices=METHODS)
    schedule: str = setting(
        "cpu",
        "cpu: alpha lr scaled to this run's alpha steps (DARTS' total alpha travel) and the NB201 supernet "
        "at --darts-supernet-channels/-cells; paper: DARTS' alpha lr as given, supernet at the space's size",
        choices=SCHEDULES,
    )
    supernet_channels: int = setting(8, "cpu schedule: channels of the NB201 supernet's first stage (paper: the space's, 16)", above=0)
    supernet_cells: int = setting(1, "cpu schedule: NB201 supernet cells per stage (paper: the space's, 5)", above=0)
    paths: int = setting(0, "sampled-paths supernet: every edge computes k of its ops per training batch, drawn from softmax(alpha) (ProxylessNAS: 2; 0: all, DARTS)", at_least=0)
    epochs: int = setting(50, "supernet epochs: the cosine schedule's length and the search's end (DARTS: 50)", above=0)
    batch_size: int = setting(64, "mini-batch of weight and of alpha data (DARTS: 64)", above=0)
    w_lr: float = setting(0.025, "initial SGD learning rate of the weights (DARTS: 0.025)", above=0)
    w_lr_min: float = setting(0.001, "cosine-annealed down to this (DARTS: 0.001)", at_least=0)
    w_momentum: float = setting(0.9, "SGD momentum of the weights (DARTS: 0.9)", at_least=0, below=1)
    w_weight_decay: float = setting(3e-4, "weight decay of the weights (DARTS: 3e-4)", at_least=0)
    grad_clip: float = setting(5.0, "gradient norm clipping of the weights (DARTS: 5)", above=0)
    alpha_lr: float = setting(3e-4, "Adam learning rate of the alphas at DARTS' 19,550 alpha steps (DARTS: 3e-4)", above=0)
    alpha_travel: float = setting(3.0, "cpu schedule: how far the alphas may travel in total, in multiples of DARTS' (lr x alpha steps on CIFAR-10)", above=0)
    alpha_weight_decay: float = setting(1e-3, "weight decay of the alphas (DARTS: 1e-3)", at_least=0)
    train_portion: float = setting(0.5, "share of the training split that trains weights; the rest trains alphas (DARTS: 0.5)", above=0, below=1)
    milenas_lambda: float = setting(1.0, "MiLeNAS: alpha descends L_train + lambda * L_val (MiLeNAS: 1)", at_least=0)  # He et al. 2020
    size_ops: int = setting(0, "MiLeNAS model-size-based search: answer the best-validated epoch whose derived cells have this many parametric ops (0: off)", at_least=0)
    derive_none: bool = setting(True, "NB201: an edge's derived op may be none (NB201's rule); false: its strongest other op, as DARTS derives its own cells, so no answer is cut off from its input")
    size_stop: bool = setting(False, "MiLeNAS early stopping: end the search at the first epoch whose derived cells have at least --darts-size-ops parametric ops")
    select: str = setting("alphas", "NB201: how the answer is read from the searched supernet: every edge's largest alpha, or perturbation (DARTS-PT: the op whose removal costs the supernet most accuracy on the alpha data); the epochs' derived cells are always the alphas'", choices=SELECTIONS)
    select_tune_epochs: int = setting(1, "perturbation selection: epochs the supernet's weights train after each edge is fixed to its op, before the next edge is judged", at_least=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.paths and self.method == "second-order":
            raise ConfigError("--darts-paths needs a first-order gradient (first-order or milenas): second order's finite difference compares two forwards, which would sample different paths")
        if self.size_stop and self.size_ops == 0:
            raise ConfigError("--darts-size-stop needs the model size to stop at: give --darts-size-ops N (N > 0)")
        if self.select == "perturbation" and self.size_ops:
            raise ConfigError("--darts-select perturbation reads the answer from the last supernet; --darts-size-ops answers an earlier epoch's cell: give one of them")

    def lr(self, epoch: int) -> float:
        """Weight learning rate of 1-based ``epoch``: cosine from ``w_lr`` (epoch 1) towards ``w_lr_min``."""
        return cosine_lr(epoch, self.epochs, self.w_lr, self.w_lr_min)

    def alpha_lr_for(self, steps_per_epoch: int) -> float:
        """The alphas' Adam learning rate for a search of ``steps_per_epoch`` alpha steps an epoch.

        ``paper``: ``alpha_lr`` as given. ``cpu``: scaled by DARTS' alpha step count over this
        search's, so the alphas can travel as far in total as in DARTS on CIFAR-10 (Adam's step
        is about the learning rate, whatever the gradient's scale). On digits a search makes
        ~450 alpha steps, not 19,550: at DARTS' rate the alphas would end where they started.
        ``alpha_travel`` multiplies that total.
        """
        if self.schedule == "paper":
            return self.alpha_lr
        return self.alpha_travel * self.alpha_lr * PAPER_ALPHA_STEPS / (self.epochs * steps_per_epoch)
