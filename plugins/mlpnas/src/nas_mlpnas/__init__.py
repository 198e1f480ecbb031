"""MLPNAS for nas: controller, REINFORCE, bigram sharing, accuracy predictor (see plugin.py)."""
