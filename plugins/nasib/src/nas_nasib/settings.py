"""``--nasib-*``: the space's shape and the search's hyper-parameters, torch-free so options are
declared without torch."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import Settings, cosine_lr, setting

from nas_nasib.space import NasibSpace

# Superkernel size when --nasib-m is not given: m^2 = 25 candidates on images (the CPU
# size; the paper's CIFAR-10 search: m = 9, 81), and 15 kernels 1 x j on sequences, so that the
# ones above K = 9 weights (1x10 .. 1x15) are separable as in the paper's rule.
DEFAULT_M = {2: 5, 1: 15}


@dataclass(frozen=True)
class SpaceSettings(Settings, prefix="nasib"):
    """The macro superkernel space (``--space nasib``), for any strategy."""

    layers: int = setting(6, "kernel layers of the chain (NASIB on CIFAR-10: 12)", above=0)
    m: int = setting(0, "superkernel size: every i x j kernel, i, j <= m (1 x j on sequences); 0: 5 on images, 15 on sequences", at_least=0)
    k: int = setting(9, "kernels of more than K weights per channel (i * j > K) are depthwise-separable (NASIB: 9)", above=0)
    narrow: bool = setting(False, "the narrow space instead (NASIB-1): ENAS' six candidates, 3x3/5x5 conv and separable conv, 3x3 max/avg pool")
    dims: int = setting(2, "2: images (C, H, W) with i x j kernels; 1: sequences (C, L) such as mnist1d, with 1 x j kernels", at_least=1, at_most=2)
    channels: int = setting(16, "channels after the stem; each factorized reduction doubles them", above=0)

    def space(self) -> NasibSpace:
        m = self.m or DEFAULT_M[self.dims]
        return NasibSpace(layers=self.layers, m=m, k=self.k, narrow_set=self.narrow, dims=self.dims, channels=self.channels)


@dataclass(frozen=True)
class NasibSettings(Settings, prefix="nasib"):
    """The search's hyper-parameters; NASIB's where the paper gives them, DARTS' for the weights."""

    epochs: int = setting(0, "n, the search's epochs (P1's schedule, the learning rate's cosine); 0: from --budget, its epoch count or its search time / the first epoch's time", at_least=0)
    final_p: float = setting(0.1, "k: probability of the exploring policy P1 in the last epoch; epoch i uses p = beta^(i-1), beta = exp(ln k / n) (NASIB: 0.1)", above=0, at_most=1)
    lambda_: float = setting(0.1, "temperature of the exploiting policy P2: candidates drawn by softmax(alpha / lambda) (NASIB: 'very low')", above=0, flag="--nasib-lambda")
    paths: int = setting(2, "candidates computed per layer per batch (NASIB, ProxylessNAS: 2)", above=0)
    prior: str = setting("", "candidates' prior weights, e.g. '3x3=2,conv5x1=1.5' (a shape weights every candidate of that shape) or a JSON file {\"3x3\": 2}; the rest weigh 1")
    batch_size: int = setting(32, "mini-batch of weight and of alpha data (CPU-sized: 17 steps an epoch on digits)", above=0)
    w_lr: float = setting(0.1, "initial SGD learning rate of the weights, cosine-annealed over the n epochs (CPU-sized; DARTS: 0.025)", above=0)
    w_lr_min: float = setting(0.001, "the weights' learning rate at the end of the n epochs (DARTS: 0.001)", at_least=0)
    w_momentum: float = setting(0.9, "SGD momentum of the weights (NASIB: 0.9)", at_least=0, below=1)
    w_weight_decay: float = setting(3e-4, "weight decay of the weights (DARTS: 3e-4)", at_least=0)
    grad_clip: float = setting(5.0, "gradient norm clipping of the weights (DARTS: 5)", above=0)
    alpha_lr: float = setting(0.01, "Adam learning rate of the alphas, no weight decay (CPU-sized)", above=0)
    train_portion: float = setting(0.5, "share of the training split that trains weights; the rest trains alphas", above=0, below=1)

    def lr(self, epoch: int, epochs: int) -> float:
        """Weight learning rate of 1-based ``epoch`` of ``epochs``: cosine from ``w_lr`` to ``w_lr_min``."""
        return cosine_lr(epoch, epochs, self.w_lr, self.w_lr_min)
