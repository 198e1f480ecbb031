"""The controller network: an LSTM policy over tokens with an accuracy-predictor head.

Each step feeds the embedding of the previous token (a start token first) to a one-layer LSTM;
a dense layer on its output gives the logits of the next token, masked to the grammar's valid
continuations. The predictor (section 4.2 of the paper) is a single dense layer on the LSTM's
output after the whole sequence has been read: it shares the LSTM with the policy, so training it
shapes the representation the policy samples from. It runs on the CPU: it is tiny, and children
may be training on the accelerator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from nas_mlpnas.grammar import Grammar


def step_masks(grammar: Grammar, tokens: Sequence[int]) -> np.ndarray:
    """The valid-token mask at every step of ``tokens`` (shape: steps x vocabulary)."""
    return np.stack([grammar.allowed(tokens[:t]) for t in range(len(tokens))])


class Controller(nn.Module):
    def __init__(self, vocabulary_size: int, hidden: int) -> None:
        super().__init__()
        self.vocabulary_size = vocabulary_size
        self.embed = nn.Embedding(vocabulary_size + 1, hidden)  # the last index is the start token
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.policy = nn.Linear(hidden, vocabulary_size)
        self.predictor = nn.Linear(hidden, 1)

    @torch.no_grad()
    def sample(self, grammar: Grammar, rng: np.random.Generator) -> list[int]:
        """One valid sequence, each token drawn with ``rng`` from the masked policy."""
        tokens: list[int] = []
        previous, state = self.vocabulary_size, None
        while not grammar.finished(tokens):
            output, state = self.lstm(self.embed(torch.tensor([[previous]])), state)
            logits = self.policy(output[0, -1]).double().numpy()
            mask = grammar.allowed(tokens)
            logits = np.where(mask, logits - logits[mask].max(), -np.inf)
            probabilities = np.exp(logits)
            previous = int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
            tokens.append(previous)
        return tokens

    def _read(self, sequences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """LSTM outputs for ``[start, t_1, ..., t_T]`` of each sequence (padded), and the lengths T."""
        lengths = torch.tensor([len(s) for s in sequences])
        inputs = torch.full((len(sequences), int(lengths.max()) + 1), self.vocabulary_size, dtype=torch.long)
        for row, tokens in enumerate(sequences):
            inputs[row, 1 : len(tokens) + 1] = torch.tensor(tokens, dtype=torch.long)
        outputs, _ = self.lstm(self.embed(inputs))
        return outputs, lengths

    def log_probs(self, sequences: Sequence[Sequence[int]], masks: Sequence[np.ndarray]) -> torch.Tensor:
        """``log pi(t_i | t_<i)`` of every step, padded with zeros (shape: batch x longest)."""
        outputs, lengths = self._read(sequences)
        logits = self.policy(outputs[:, :-1])
        allowed = torch.zeros(logits.shape, dtype=torch.bool)
        chosen = torch.zeros(logits.shape[:2], dtype=torch.long)
        for row, (tokens, mask) in enumerate(zip(sequences, masks)):
            allowed[row, : len(tokens)] = torch.from_numpy(mask)
            chosen[row, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
        allowed[:, :, 0] |= ~allowed.any(-1)  # padding steps: any finite value, masked out below
        log_probs = torch.log_softmax(logits.masked_fill(~allowed, float("-inf")), dim=-1)
        picked = log_probs.gather(-1, chosen.unsqueeze(-1)).squeeze(-1)
        steps = torch.arange(picked.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        return torch.where(steps, picked, torch.zeros(()))

    def predict(self, sequences: Sequence[Sequence[int]]) -> torch.Tensor:
        """The predictor head's output after reading each whole sequence (shape: batch)."""
        outputs, lengths = self._read(sequences)
        return self.predictor(outputs[torch.arange(len(sequences)), lengths]).squeeze(-1)
