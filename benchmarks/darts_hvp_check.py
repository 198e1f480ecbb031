"""How close is DARTS' finite-difference Hessian-vector product to the exact one?

On the full-size NB201 supernet (5 cells per stage, 16 channels) on digits, in float64, at
initialisation and after some supernet epochs: the second-order term
``grad2_{alpha,w} L_train . grad_w' L_val`` by a central finite difference of radius
``epsilon / ||v||`` (DARTS: epsilon = 0.01) against the exact product by double backward, and the
whole second-order alpha gradient against the exact gradient of the unrolled validation loss.
A ReLU network's gradient jumps where units switch, so a finite difference measures a smoothed
curvature; the numbers say how much that matters for DARTS' architecture gradient.

    python benchmarks/darts_hvp_check.py --epochs 0 5
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path
from typing import Any

import torch

from nas_core.datasets.builtin import digits
from nas_core.registry import DatasetRequest
from nas_core.spaces.nb201 import NB201Space
from nas_core.training.fit import DeviceData

from nas_darts.architect import SecondOrder, finite_difference_hvp
from nas_darts.search import SupernetSearch
from nas_darts.settings import SearchSettings

RESULTS = Path(__file__).resolve().parent / "results"
EPSILONS = (1e-1, 1e-2, 1e-3, 1e-5)


def flat(tensors: list[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


def relative(approx: torch.Tensor, exact: torch.Tensor) -> dict[str, float]:
    return {
        "relative_error": float((approx - exact).norm() / exact.norm()),
        "cosine": float(torch.nn.functional.cosine_similarity(approx, exact, dim=0)),
    }


def check(search: SupernetSearch, batches: int) -> dict[str, Any]:
    net = search.supernet.double()
    net.train()
    loss = search.criterion
    weights, alphas = net.weights(), net.arch_parameters()
    optimizer = torch.optim.SGD(weights, lr=search.settings.w_lr, momentum=0.0, weight_decay=search.settings.w_weight_decay)
    x_w, y_w = search.split.w_data
    x_a, y_a = search.split.alpha_data
    lr = search.settings.w_lr
    rows: list[dict[str, Any]] = []
    for k in range(batches):
        window = slice(64 * k, 64 * (k + 1))
        train, valid = (x_w[window].double(), y_w[window]), (x_a[window].double(), y_a[window])
        # exact: the unrolled validation loss differentiated through the virtual step
        grad_w = torch.autograd.grad(loss(net(train[0]), train[1]), weights, create_graph=True)
        names = {id(p): n for n, p in net.named_parameters()}
        stepped = {names[id(w)]: w - lr * (g + search.settings.w_weight_decay * w) for w, g in zip(weights, grad_w)}
        out = torch.func.functional_call(net, stepped, (valid[0],))
        exact_total = flat(list(torch.autograd.grad(loss(out, valid[1]), alphas)))
        # exact product with v = grad_w' L_val(w') (what the finite difference approximates)
        second = SecondOrder(optimizer)
        original = [w.detach().clone() for w in weights]
        stepped_weights = second.virtual_step(net, loss, train, lr)  # needs autograd: not under no_grad
        with torch.no_grad():
            for w, s in zip(weights, stepped_weights):
                w.copy_(s)
        vector = list(torch.autograd.grad(loss(net(valid[0]), valid[1]), weights))
        with torch.no_grad():
            for w, o in zip(weights, original):
                w.copy_(o)
        grad_w = torch.autograd.grad(loss(net(train[0]), train[1]), weights, create_graph=True)
        exact_hvp = flat(list(torch.autograd.grad(sum((g * v).sum() for g, v in zip(grad_w, vector)), alphas)))
        row: dict[str, Any] = {"batch": k, "exact_hvp_norm": float(exact_hvp.norm()), "epsilons": {}}
        for epsilon in EPSILONS:
            hvp = flat(finite_difference_hvp(net, loss, train, vector, epsilon))
            total = flat(SecondOrder(optimizer, epsilon)(net, loss, train, valid, lr))
            row["epsilons"][str(epsilon)] = {"hvp": relative(hvp, exact_hvp), "second_order_gradient": relative(total, exact_total)}
        rows.append(row)
    search.supernet.float()
    return {"batches": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, nargs="+", default=[0, 5], help="check after these many supernet epochs")
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "darts_hvp_check.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = DeviceData(digits(DatasetRequest(None, 0)), torch.device("cpu"))
    search = SupernetSearch.create(NB201Space(), data, SearchSettings(method="second-order", schedule="paper"), seed=0)
    report: dict[str, Any] = {
        "command": "python benchmarks/darts_hvp_check.py --epochs " + " ".join(map(str, args.epochs)) + f" --batches {args.batches}",
        "machine": {"python": platform.python_version()},
        "checks": {},
    }
    for epochs in sorted(args.epochs):
        while search.epoch < epochs:
            search.run_epoch()
        report["checks"][str(epochs)] = check(search, args.batches)
        print(epochs, json.dumps(report["checks"][str(epochs)]), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
