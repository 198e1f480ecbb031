"""Plugin ``nag-gan``: the options ``nag`` and ``nag-generator`` share, declared once.

The GAN's hyper-parameters, the NAS dataset it learns from and the supernet that can build that
dataset (:class:`nas_nag.settings.NAGSettings`). Both plugins require this one, so they load
together or apart with the same options; it is not named on its own.
"""

from __future__ import annotations

from nas_core import OptionGroup, declare, hookimpl

from nas_nag.settings import NAGSettings


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, NAGSettings)
