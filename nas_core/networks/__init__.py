"""Plain ``torch.nn`` modules built from architectures; none depends on nas at inference time."""
