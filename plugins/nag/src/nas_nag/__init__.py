"""NAG for nas: a conditional GAN that generates cell architectures (Jing, Xu & Zhang, 2021).

Entry points (``--plugin``): ``nag`` (RS-NAG, the paper's Algorithm 1, :mod:`nas_nag.plugin`),
``nag-generator`` (the trained generator as any strategy's source of random architectures,
:mod:`nas_nag.generator_plugin`) and ``nag-space`` (the paper's open-domain cell space
``--space nag-open``, :mod:`nas_nag.space_plugin`).
"""

__version__ = "0.1.0"
