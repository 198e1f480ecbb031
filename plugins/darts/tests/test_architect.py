"""The three architecture gradients against autograd on a tiny supernet, in float64.

The finite differences use a step far smaller than DARTS' (0.01 / ||v||): with 2-channel batch
norms this tiny network is curved enough that DARTS' step would measure the curvature, not the
math; here the point is that the formula is the exact one in the limit.
"""

from __future__ import annotations

import pytest
import torch

from nas_core import NB201Space, SearchCriterion

from nas_darts.architect import FirstOrder, MiLeNAS, SecondOrder, finite_difference_hvp
from nas_darts.supernet import Supernet, build_supernet


@pytest.fixture
def problem(digits_data) -> tuple[Supernet, SearchCriterion, tuple, tuple]:
    torch.manual_seed(0)
    net = build_supernet(NB201Space(channels=2, cells=1), digits_data.dataset.input_shape, 10).double()
    with torch.no_grad():  # alphas away from uniform, so every term of the gradient matters
        for alpha in net.arch_parameters():
            alpha.normal_(0, 0.5)
    x, y = digits_data.x_train.double(), digits_data.y_train
    net.train()
    return net, SearchCriterion(binary=False), (x[:24], y[:24]), (x[24:48], y[24:48])


def _snapshot(net: Supernet) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


def _unchanged(net: Supernet, before: list[torch.Tensor]) -> bool:
    return all(torch.equal(p, q) for p, q in zip(net.parameters(), before)) and all(
        p.grad is None for p in net.parameters()
    )


def test_finite_difference_hvp_matches_autograd(problem) -> None:
    net, loss, train, _ = problem
    weights, alphas = net.weights(), net.arch_parameters()
    generator = torch.Generator().manual_seed(1)
    vector = [torch.randn(w.shape, generator=generator, dtype=w.dtype) for w in weights]
    # exact: d/d alpha of (grad_w L . v), by double backward
    grad_w = torch.autograd.grad(loss(net(train[0]), train[1]), weights, create_graph=True)
    exact = torch.autograd.grad(sum((g * v).sum() for g, v in zip(grad_w, vector)), alphas)
    before = _snapshot(net)
    approx = finite_difference_hvp(net, loss, train, vector, epsilon=1e-6)
    assert _unchanged(net, before)
    for e, a in zip(exact, approx):
        torch.testing.assert_close(a, e, rtol=1e-4, atol=1e-7)


def test_second_order_is_the_gradient_of_the_unrolled_validation_loss(problem) -> None:
    net, loss, train, valid = problem
    weights, alphas = net.weights(), net.arch_parameters()
    optimizer = torch.optim.SGD(weights, lr=0.1, momentum=0.9, weight_decay=3e-4)
    loss(net(train[0]), train[1]).backward()  # one real step, so momentum buffers exist
    optimizer.step()
    net.zero_grad(set_to_none=True)
    lr = 0.05
    # exact: L_val(w - lr * (grad_w L_train + wd w + momentum * buffer), alpha), differentiated through the step
    grad_w = torch.autograd.grad(loss(net(train[0]), train[1]), weights, create_graph=True)
    stepped = {}
    names = {id(p): n for n, p in net.named_parameters()}
    for w, g in zip(weights, grad_w):
        direction = g + 3e-4 * w + 0.9 * optimizer.state[w]["momentum_buffer"]
        stepped[names[id(w)]] = w - lr * direction
    out = torch.func.functional_call(net, stepped, (valid[0],))
    exact = torch.autograd.grad(loss(out, valid[1]), alphas)
    before = _snapshot(net)
    approx = SecondOrder(optimizer, epsilon=1e-6)(net, loss, train, valid, lr)
    assert _unchanged(net, before)
    for e, a in zip(exact, approx):
        torch.testing.assert_close(a, e, rtol=1e-4, atol=1e-7)


def test_first_order_and_milenas_gradients(problem) -> None:
    net, loss, train, valid = problem
    alphas = net.arch_parameters()
    before = _snapshot(net)
    first = FirstOrder()(net, loss, train, valid, 0.025)
    mixed = MiLeNAS(lam=2.0)(net, loss, train, valid, 0.025)
    assert _unchanged(net, before)
    g_val = torch.autograd.grad(loss(net(valid[0]), valid[1]), alphas)
    g_train = torch.autograd.grad(loss(net(train[0]), train[1]), alphas)
    for f, m, v, t in zip(first, mixed, g_val, g_train):
        torch.testing.assert_close(f, v)
        torch.testing.assert_close(m, t + 2.0 * v)
