"""NAG's generator (paper 3.2.1): a GraphRNN-style decoder that grows a DAG from noise and labels.

Starting from the input node, every step runs the four modules of Fig. 4:

- **PropGraph**: bi-directional message passing over the graph so far (messages along edges and
  against them, summed, then a GRU update), and a gated weighted-mean readout (a linear layer
  with a sigmoid gate weighs every node; plain mean as the ablation's alternative) giving the
  graph state ``h_G``;
- **AddNode**: a softmax over the candidate ops (and ``output``) from ``c`` and ``h_G``;
- **InitNode**: the new node's embedding from ``c``, ``h_G`` and the chosen op's embedding;
- **AddEdge**: a sigmoid per earlier node from its embedding, the new node's, ``c`` and ``h_G``;
  an edge is kept above 0.5.

``c`` is the noise and the label embeddings, concatenated (eq. 1). The node and edge
probabilities carry Gumbel noise: ``P = softmax((logits + g) / tau)`` with g ~ Gumbel(0, 1), and
``sigmoid((l + n) / tau)`` with logistic n for an edge, so ``argmax(P)`` (eq. 5) and "kept above
0.5" (eq. 6) are draws from the categorical and Bernoulli distributions the logits define. This
is PyTorch's ``gumbel_softmax``, whose straight-through form the paper's footnote 1 quotes as the
variant without the probability graph, and the noise the paper says its probability values carry
(3.5). Without it argmax decoding is a function of z alone, and the generator collapses to one or
a few cells whatever z and the labels are (measured: one cell for 1,000 samples).

Node embeddings persist from
step to step, so each step's PropGraph refines them further. Decoding stops at the output node or
at the grammar's node limit; the grammar (:mod:`nas_nag.grammar`) masks every choice so the graph
is a member of the target space. All graphs of a batch are decoded together, as padded tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from nas_core import CellGraph
from nas_nag.grammar import CellGrammar
from nas_nag.settings import GANSettings


class Dropout(nn.Dropout):
    """``nn.Dropout`` with its mask drawn as ``rand >= p``: the same Bernoulli(1 - p) mask and
    scaling, about 3x faster on CPU than torch's ``bernoulli_`` (measured 0.37 vs 1.05 ms for a
    400 x 250 tensor on one thread), which made dropout a tenth of NAG's training time."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        return x * ((torch.rand_like(x) >= self.p) * (1.0 / (1.0 - self.p)))


def mlp(in_features: int, hidden: int, out_features: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), Dropout(dropout), nn.Linear(hidden, out_features))


class LabelEmbeddings(nn.Module):
    """One embedding table per indicator; ``forward`` concatenates them (``E_1[l_1], E_2[l_2], ...``)."""

    def __init__(self, classes: Sequence[int], dim: int) -> None:
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(k, dim) for k in classes)
        self.out_features = dim * len(classes)

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        if not self.tables:
            return labels.new_zeros(labels.shape[0], 0, dtype=torch.float)
        return torch.cat([table(labels[:, k]) for k, table in enumerate(self.tables)], dim=1)


class MessageRound(nn.Module):
    """msg_v = sum over in-neighbours u of M_f(h_v, h_u) (+ the same against the edges, M_b), then
    h_v <- GRU(h_v, [msg_in; msg_out]). M is linear in (h_v, h_u), so the sums are two matmuls;
    the four linear maps of ``h`` run as one (one larger matrix product instead of four)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.forward_self = nn.Linear(dim, dim)
        self.forward_neighbour = nn.Linear(dim, dim, bias=False)
        self.backward_self = nn.Linear(dim, dim)
        self.backward_neighbour = nn.Linear(dim, dim, bias=False)
        self.update = nn.GRUCell(2 * dim, dim)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
        batch, nodes, dim = h.shape
        in_degree = adjacency.sum(1).unsqueeze(-1)
        out_degree = adjacency.sum(2).unsqueeze(-1)
        maps = (self.forward_self, self.forward_neighbour, self.backward_self, self.backward_neighbour)
        weight = torch.cat([m.weight for m in maps])
        no_bias = self.forward_self.bias.new_zeros(dim)
        bias = torch.cat([self.forward_self.bias, no_bias, self.backward_self.bias, no_bias])
        f_self, f_neighbour, b_self, b_neighbour = F.linear(h, weight, bias).split(dim, dim=-1)
        msg_in = in_degree * f_self + adjacency.transpose(1, 2) @ f_neighbour
        msg_out = out_degree * b_self + adjacency @ b_neighbour
        messages = torch.cat([msg_in, msg_out], dim=-1).reshape(batch * nodes, 2 * dim)
        updated = self.update(messages, h.reshape(batch * nodes, dim)).reshape(batch, nodes, dim)
        return torch.where(alive.unsqueeze(-1), updated, h)


class GraphReadout(nn.Module):
    """h_G = sum_v w_v W h_v / sum_v w_v with w_v = sigmoid(gate(h_v)) (weighted mean) or 1 (mean)."""

    def __init__(self, node_dim: int, graph_dim: int, weighted: bool) -> None:
        super().__init__()
        self.project = nn.Linear(node_dim, graph_dim)
        self.gate = nn.Linear(node_dim, 1) if weighted else None

    def forward(self, h: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
        weight = alive.unsqueeze(-1).float()
        if self.gate is not None:
            weight = weight * torch.sigmoid(self.gate(h))
        return (weight * self.project(h)).sum(1) / weight.sum(1).clamp_min(1e-8)


class PropGraph(nn.Module):
    def __init__(self, node_dim: int, graph_dim: int, rounds: int, weighted: bool) -> None:
        super().__init__()
        self.rounds = nn.ModuleList(MessageRound(node_dim) for _ in range(rounds))
        self.readout = GraphReadout(node_dim, graph_dim, weighted)

    def forward(self, h: torch.Tensor, adjacency: torch.Tensor, alive: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for message_round in self.rounds:
            h = message_round(h, adjacency, alive)
        return h, self.readout(h, alive)


@dataclass(frozen=True)
class GeneratedBatch:
    """Decoded graphs, padded to the longest. ``choices[b, v]`` indexes the grammar's generated
    vocabulary (-1 for the input node and padding); ``node_probs`` (over the graph vocabulary) and
    ``edge_probs`` are the soft graph the discriminator sees; ``adjacency`` the kept edges."""

    choices: torch.Tensor  # (B, T) long
    num_nodes: torch.Tensor  # (B,) long
    adjacency: torch.Tensor  # (B, T, T) float 0/1
    node_probs: torch.Tensor  # (B, T, V) float
    edge_probs: torch.Tensor  # (B, T, T) float
    repaired: torch.Tensor  # (B,) bool

    def graphs(self, grammar: CellGrammar) -> list[CellGraph]:
        vocabulary = grammar.graph_vocabulary
        out = []
        for b, n in enumerate(self.num_nodes.tolist()):
            ops = (vocabulary[0], *(vocabulary[int(k) + 1] for k in self.choices[b, 1:n]))
            rows = self.adjacency[b, :n, :n].to(torch.int64).tolist()
            out.append(CellGraph(ops, tuple(tuple(row) for row in rows)))
        return out


def gumbel(batch: int, size: int, noise: torch.Generator | None) -> torch.Tensor:
    uniform = torch.rand(batch, size, generator=noise).clamp(1e-10, 1 - 1e-7)
    return -torch.log(-torch.log(uniform))


def logistic(batch: int, size: int, noise: torch.Generator | None) -> torch.Tensor:
    """The difference of two Gumbels: sigmoid(l + it) > 0.5 is a Bernoulli(sigmoid(l)) draw."""
    uniform = torch.rand(batch, size, generator=noise).clamp(1e-10, 1 - 1e-7)
    return torch.log(uniform) - torch.log1p(-uniform)


class Generator(nn.Module):
    def __init__(self, grammar: CellGrammar, label_classes: Sequence[int], settings: GANSettings) -> None:
        super().__init__()
        s = settings
        self.grammar = grammar
        self.noise_dim = s.noise_dim
        self.labels = LabelEmbeddings(label_classes, s.label_dim)
        cond = s.noise_dim + self.labels.out_features
        vocabulary = len(grammar.graph_vocabulary)
        self.node_embedding = nn.Embedding(vocabulary, s.node_dim)
        self.prop = PropGraph(s.node_dim, s.graph_dim, s.prop_rounds, s.readout == "weighted-mean")
        self.add_node = mlp(cond + s.graph_dim, s.node_dim, len(grammar.generated_vocabulary), s.dropout)
        self.init_node = nn.Sequential(nn.Linear(cond + s.graph_dim + s.node_dim, s.node_dim), nn.Tanh())
        self.add_edge = mlp(2 * s.node_dim + cond + s.graph_dim, s.node_dim, 1, s.dropout) if grammar.free_edges else None
        self.graph_dim = s.graph_dim
        self.temperature = s.temperature

    def forward(self, z: torch.Tensor, labels: torch.Tensor, noise: torch.Generator | None = None) -> GeneratedBatch:
        """Decode one graph per row of ``z`` and ``labels``; ``noise`` draws the Gumbel noise."""
        grammar = self.grammar
        batch, limit = z.shape[0], grammar.max_nodes
        logits_size = len(grammar.generated_vocabulary)
        c = torch.cat([z, self.labels(labels)], dim=1)
        vocabulary = len(grammar.graph_vocabulary)
        output = len(grammar.generated_vocabulary) - 1
        start = torch.zeros(batch, dtype=torch.long)  # the input node's label
        h = self.init_node(torch.cat([c, c.new_zeros(batch, self.graph_dim), self.node_embedding(start)], 1)).unsqueeze(1)
        adjacency = torch.zeros(batch, limit, limit)
        choices = torch.full((batch, limit), -1, dtype=torch.long)
        num_nodes = torch.ones(batch, dtype=torch.long)
        active = torch.ones(batch, dtype=torch.bool)
        repaired = torch.zeros(batch, dtype=torch.bool)
        node_rows = [F.one_hot(start, vocabulary).float()]
        edge_columns: list[torch.Tensor] = []
        for t in range(1, limit):
            known = adjacency[:, :t, :t].clone()
            if t == limit - 1 and grammar.fixed_output:
                # The last node is the output, with fixed edges, by the space's definition: nothing
                # the modules would compute at this step reaches the graph or its gradients (the
                # masked softmax is an exact one-hot), so they are skipped.
                choice = torch.full((batch,), output)
                probs = F.one_hot(choice, logits_size).float()
                edges = grammar.edges(t, None, known, choice == output)
                op_repaired = torch.zeros(batch, dtype=torch.bool)
                h_new = None
            else:
                alive = torch.arange(t).unsqueeze(0) < num_nodes.unsqueeze(1)
                h, h_graph = self.prop(h, known, alive)
                logits = self.add_node(torch.cat([c, h_graph], 1)) + gumbel(batch, logits_size, noise)
                probs = torch.softmax(logits.masked_fill(~grammar.op_mask(t), float("-inf")) / self.temperature, dim=1)
                choice = probs.argmax(1)
                op_repaired = grammar.op_repaired(t, logits.argmax(1))
                h_new = self.init_node(torch.cat([c, h_graph, self.node_embedding(choice + 1)], 1))
                edge_probs = None
                if self.add_edge is not None:
                    context = torch.cat([c, h_graph], 1).unsqueeze(1).expand(batch, t, -1)
                    pairs = torch.cat([h, h_new.unsqueeze(1).expand(batch, t, -1), context], dim=2)
                    edge_logits = self.add_edge(pairs).squeeze(-1) + logistic(batch, t, noise)
                    edge_probs = torch.sigmoid(edge_logits / self.temperature)
                edges = grammar.edges(t, edge_probs, known, choice == output)
            is_output = choice == output
            on = active.float().unsqueeze(1)
            choices[:, t] = torch.where(active, choice, -1)
            adjacency[:, :t, t] = edges.hard.float() * on
            node_rows.append(torch.cat([probs.new_zeros(batch, 1), probs], 1) * on)
            edge_columns.append(edges.soft * on)
            repaired |= active & (op_repaired | edges.repaired)
            num_nodes = num_nodes + active.long()
            active = active & ~is_output
            if h_new is None or not active.any():
                break
            h = torch.cat([h, h_new.unsqueeze(1)], dim=1)
        size = len(node_rows)
        columns = [torch.zeros(batch, size)] + [F.pad(col, (0, size - col.shape[1])) for col in edge_columns]
        return GeneratedBatch(
            choices[:, :size], num_nodes, adjacency[:, :size, :size], torch.stack(node_rows, 1), torch.stack(columns, 2), repaired
        )
