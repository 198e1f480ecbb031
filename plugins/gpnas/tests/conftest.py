import warnings

# torch_geometric warns about a deprecated import path when it is imported; not ours to fix.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch_geometric.*")
