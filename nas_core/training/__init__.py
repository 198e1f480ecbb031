"""Training and measuring built networks on real data (imports torch only in its submodules)."""

OPTIMIZERS = ("adam", "sgd")
LR_SCHEDULES = ("constant", "cosine")
