"""The mixed operation of supernet edges: over all candidates, or over k sampled paths."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nas_core import MixedOp, sample_paths

NAMES = ("none", "skip", "conv3", "conv1", "pool")


def make(name: str) -> nn.Module:
    return {
        "skip": nn.Identity(),
        "conv3": nn.Sequential(nn.ReLU(), nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3)),
        "conv1": nn.Sequential(nn.ReLU(), nn.Conv2d(3, 3, 1)),
        "pool": nn.AvgPool2d(3, stride=1, padding=1),
    }[name]


@pytest.fixture
def edge() -> tuple[MixedOp, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    op = MixedOp(NAMES, make).double()
    alpha = torch.randn(len(NAMES), dtype=torch.double, requires_grad=True)
    return op, alpha, torch.randn(4, 3, 5, 5, dtype=torch.double)


def _output_and_gradients(op: MixedOp, alpha: torch.Tensor, x: torch.Tensor, paths: torch.Tensor | None):
    out = op(x, torch.softmax(alpha, -1), paths)
    grads = torch.autograd.grad((out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out)).sum(), [alpha, *op.parameters()], allow_unused=True)
    return out.detach(), grads


def test_sampling_every_path_is_the_full_mixed_op(edge) -> None:
    op, alpha, x = edge
    full_out, full_grads = _output_and_gradients(op, alpha, x, None)
    every = sample_paths(torch.softmax(alpha, -1), len(NAMES), torch.Generator().manual_seed(1))
    assert every.tolist() == list(range(len(NAMES)))
    out, grads = _output_and_gradients(op, alpha, x, every)
    torch.testing.assert_close(out, full_out)
    assert all(g is not None for g in grads)
    for g, f in zip(grads, full_grads):
        torch.testing.assert_close(g, f)
    assert full_grads[0].abs().min() > 0  # every alpha, none's included, gets a gradient


def test_two_sampled_paths_mix_by_their_renormalised_weights_and_move_only_their_alphas(edge) -> None:
    op, alpha, x = edge
    paths = torch.tensor([2, 4])  # conv3, pool
    out, (d_alpha, *_) = _output_and_gradients(op, alpha, x, paths)
    w = torch.softmax(alpha[paths], -1).detach()
    with torch.no_grad():
        expected = w[0] * op.ops[1](x) + w[1] * op.ops[3](x)
    torch.testing.assert_close(out, expected)
    assert d_alpha[paths].abs().min() > 0 and d_alpha[[0, 1, 3]].abs().max() < 1e-12  # zero up to round-off
    torch.testing.assert_close(d_alpha[2], -d_alpha[4])  # a softmax over two: one rises as the other falls


def test_unsampled_ops_are_not_computed(edge) -> None:
    op, alpha, x = edge
    calls: list[int] = []
    for position, module in enumerate(op.ops):
        module.register_forward_hook(lambda *_, p=position: calls.append(p))
    op(x, torch.softmax(alpha, -1), torch.tensor([0, 3]))  # none and conv1
    assert calls == [2]


def test_paths_are_distinct_reproducible_and_follow_the_distribution() -> None:
    distribution = torch.tensor([0.0, 0.1, 0.0, 0.6, 0.3])
    draws = [sample_paths(distribution, 2, torch.Generator().manual_seed(s)) for s in range(200)]
    assert all(len(set(d.tolist())) == 2 and set(d.tolist()) <= {1, 3, 4} for d in draws)
    assert sum(3 in d.tolist() for d in draws) > sum(1 in d.tolist() for d in draws)
    assert torch.equal(sample_paths(distribution, 2, torch.Generator().manual_seed(7)), draws[7])


def test_a_draw_of_none_alone_is_refused(edge) -> None:
    op, alpha, x = edge
    with pytest.raises(ValueError, match="all 'none'"):
        op(x, torch.softmax(alpha, -1), torch.tensor([0]))
