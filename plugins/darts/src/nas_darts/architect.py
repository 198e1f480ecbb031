"""The gradient of one architecture step, three ways.

- :class:`FirstOrder` (DARTS, xi = 0): ``grad_alpha L_val(w, alpha)``.
- :class:`SecondOrder` (DARTS' unrolled step): the gradient of ``L_val(w', alpha)`` with
  ``w' = w - xi * grad_w L_train(w, alpha)`` one virtual weight step ahead, i.e.
  ``grad_alpha L_val(w', alpha) - xi * grad2_{alpha,w} L_train(w, alpha) . grad_w' L_val(w', alpha)``,
  the second term by a central finite difference (:func:`finite_difference_hvp`). The virtual
  step is the weight optimizer's own step (SGD with momentum and weight decay), ``xi`` its
  current learning rate, as in DARTS' implementation.
- :class:`MiLeNAS` (mixed level): ``grad_alpha [L_train(w, alpha) + lambda * L_val(w, alpha)]``.

Each returns one gradient per tensor of ``supernet.arch_parameters()`` and leaves the network
weights (values and ``.grad``) as it found them, so the caller decides how to apply it (Adam in
DARTS and in each FedNAS client's local search; FedNAS then averages the clients' resulting
*parameters* w and alpha, not these gradients).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import torch

from nas_darts.supernet import Supernet

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (logits, labels) -> mean loss
Batch = tuple[torch.Tensor, torch.Tensor]
FD_EPSILON = 0.01  # DARTS: finite-difference step R = 0.01 / ||grad_w' L_val(w', alpha)||


class ArchitectureGradient(ABC):
    name: str

    @abstractmethod
    def __call__(self, supernet: Supernet, loss: LossFn, train: Batch, valid: Batch, lr: float) -> list[torch.Tensor]:
        """The alpha gradient for one step; ``lr`` is the weights' current learning rate."""


def _batch_loss(supernet: Supernet, loss: LossFn, batch: Batch) -> torch.Tensor:
    x, y = batch
    return loss(supernet(x), y)


class FirstOrder(ArchitectureGradient):
    name = "first-order"

    def __call__(self, supernet: Supernet, loss: LossFn, train: Batch, valid: Batch, lr: float) -> list[torch.Tensor]:
        return list(torch.autograd.grad(_batch_loss(supernet, loss, valid), supernet.arch_parameters()))


class MiLeNAS(ArchitectureGradient):
    name = "milenas"

    def __init__(self, lam: float = 1.0) -> None:
        self.lam = lam

    def __call__(self, supernet: Supernet, loss: LossFn, train: Batch, valid: Batch, lr: float) -> list[torch.Tensor]:
        mixed = _batch_loss(supernet, loss, train) + self.lam * _batch_loss(supernet, loss, valid)
        return list(torch.autograd.grad(mixed, supernet.arch_parameters()))


@torch.no_grad()
def _assign(params: Sequence[torch.Tensor], values: Sequence[torch.Tensor]) -> None:
    for p, v in zip(params, values):
        p.copy_(v)


def finite_difference_hvp(
    supernet: Supernet, loss: LossFn, batch: Batch, vector: Sequence[torch.Tensor], epsilon: float = FD_EPSILON
) -> list[torch.Tensor]:
    """``grad2_{alpha,w} L(w, alpha) . v`` ~ ``(grad_alpha L(w + R v) - grad_alpha L(w - R v)) / 2R``.

    ``R = epsilon / ||v||``. Costs two forward/backward passes instead of a Hessian; the weights
    are restored exactly (copied back, not stepped back) afterwards.
    """
    weights = supernet.weights()
    alphas = supernet.arch_parameters()
    norm = torch.sqrt(sum((v.double() ** 2).sum() for v in vector))
    radius = epsilon / float(norm) if float(norm) > 0 else epsilon
    original = [w.detach().clone() for w in weights]
    gradients = []
    for sign in (1.0, -1.0):
        _assign(weights, [w + sign * radius * v for w, v in zip(original, vector)])
        gradients.append(torch.autograd.grad(_batch_loss(supernet, loss, batch), alphas))
    _assign(weights, original)
    return [(plus - minus) / (2 * radius) for plus, minus in zip(*gradients)]


class SecondOrder(ArchitectureGradient):
    """DARTS' unrolled architecture gradient; reads the virtual step from the weight optimizer."""

    name = "second-order"

    def __init__(self, w_optimizer: torch.optim.SGD, epsilon: float = FD_EPSILON) -> None:
        self.w_optimizer = w_optimizer
        self.epsilon = epsilon

    def __call__(self, supernet: Supernet, loss: LossFn, train: Batch, valid: Batch, lr: float) -> list[torch.Tensor]:
        weights = supernet.weights()
        alphas = supernet.arch_parameters()
        original = [w.detach().clone() for w in weights]
        _assign(weights, self.virtual_step(supernet, loss, train, lr))
        grads = torch.autograd.grad(_batch_loss(supernet, loss, valid), alphas + weights)
        d_alpha, d_weights = grads[: len(alphas)], grads[len(alphas) :]
        _assign(weights, original)
        implicit = finite_difference_hvp(supernet, loss, train, d_weights, self.epsilon)
        return [da - lr * h for da, h in zip(d_alpha, implicit)]

    def virtual_step(self, supernet: Supernet, loss: LossFn, train: Batch, lr: float) -> list[torch.Tensor]:
        """``w'``: where the weight optimizer's next step would take the weights on ``train``."""
        weights = supernet.weights()
        grads = torch.autograd.grad(_batch_loss(supernet, loss, train), weights)
        group = self.w_optimizer.param_groups[0]
        momentum, decay = group["momentum"], group["weight_decay"]
        stepped = []
        with torch.no_grad():
            for w, g in zip(weights, grads):
                direction = g + decay * w
                buffer = self.w_optimizer.state.get(w, {}).get("momentum_buffer")
                if buffer is not None:
                    direction = direction + momentum * buffer
                stepped.append(w - lr * direction)
        return stepped

