"""Small settings shared by the tests: real code paths, seconds of CPU."""

from nas_nag.settings import GANSettings

TINY_OPTIONS = {
    "nag_epochs": 2,
    "nag_batch_size": 8,
    "nag_node_dim": 16,
    "nag_graph_dim": 8,
    "nag_label_dim": 4,
    "nag_noise_dim": 8,
}
TINY_GAN = GANSettings(epochs=2, batch_size=8, node_dim=16, graph_dim=8, label_dim=4, noise_dim=8)
