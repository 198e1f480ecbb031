"""GPNAS for nas (Ai & Zhang): decoupled topology/operator BOHBs and a GCN predictor as filter."""

__version__ = "0.1.0"
