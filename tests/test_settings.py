"""Settings dataclasses: the options they declare, their defaults, their checks and one-line errors."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from nas_core.errors import ConfigError
from nas_core.options import OptionGroup
from nas_core.settings import Settings, declare, from_options, setting


@dataclass(frozen=True)
class Inner(Settings, prefix="toy-inner"):
    width: int = setting(8, "width of the inner part", at_least=1)


@dataclass(frozen=True)
class Toy(Settings, prefix="toy"):
    epochs: int = setting(5, "epochs", at_least=1)
    lr: float = setting(0.1, "learning rate", above=0)
    portion: float = setting(0.5, "train share", above=0, below=1)
    momentum: float = setting(0.9, "momentum", at_least=0, below=1)
    quantile: float = setting(0.85, "quantile", at_least=0, at_most=1, flag="--toy-filter-quantile")
    method: str = setting("adam", "optimizer", choices=("adam", "sgd"))
    size: str = setting("auto", "how many", check=lambda v: v == "auto" or v.isdigit(), expect="auto or a count")
    verbose: bool = setting(False, "talk")
    inner: Inner = field(default_factory=Inner)
    history: tuple[int, ...] = ()  # not an option

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.verbose and self.method == "sgd":
            raise ConfigError("--toy-verbose talks about adam only: drop it or use --toy-method adam")


def options(**given: object) -> dict[str, object]:
    group = OptionGroup()
    declare(group, Toy)
    return group.resolve(given)


def test_the_fields_declare_their_options_in_order_with_types_defaults_help_and_choices() -> None:
    group = OptionGroup()
    declare(group, Toy)
    declared = {o.flag: o for o in group}
    assert list(declared) == [
        "--toy-epochs", "--toy-lr", "--toy-portion", "--toy-momentum", "--toy-filter-quantile",
        "--toy-method", "--toy-size", "--toy-verbose", "--toy-inner-width",
    ]  # fmt: skip
    assert (declared["--toy-epochs"].type, declared["--toy-epochs"].default, declared["--toy-epochs"].help) == (int, 5, "epochs")
    assert declared["--toy-lr"].type is float and declared["--toy-verbose"].type is bool
    assert declared["--toy-method"].choices == ("adam", "sgd") and declared["--toy-size"].choices is None


def test_the_defaults_make_the_default_instance() -> None:
    assert from_options(Toy, options()) == Toy()


def test_option_values_reach_the_fields_and_the_nested_settings() -> None:
    toy = from_options(Toy, options(toy_epochs=3, toy_filter_quantile=0.5, toy_inner_width=2, toy_size="12"))
    assert (toy.epochs, toy.quantile, toy.inner, toy.size) == (3, 0.5, Inner(2), "12")
    with pytest.raises(FrozenInstanceError):
        toy.epochs = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"toy_epochs": 0}, "--toy-epochs must be at least 1, got 0"),
        ({"toy_lr": -0.1}, "--toy-lr must be positive, got -0.1"),
        ({"toy_portion": 1.0}, "--toy-portion must be in (0, 1), got 1.0"),
        ({"toy_momentum": 1.0}, "--toy-momentum must be in [0, 1), got 1.0"),
        ({"toy_filter_quantile": 1.5}, "--toy-filter-quantile must be in [0, 1], got 1.5"),
        ({"toy_size": "many"}, "--toy-size must be auto or a count, got 'many'"),
        ({"toy_inner_width": 0}, "--toy-inner-width must be at least 1, got 0"),
        ({"toy_verbose": True, "toy_method": "sgd"}, "--toy-verbose talks about adam only: drop it or use --toy-method adam"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_flag(given: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        from_options(Toy, options(**given))
    assert str(exc.value) == message


def test_the_constructor_checks_too_and_choices_are_checked_there() -> None:
    with pytest.raises(ConfigError, match=r"^--toy-method must be one of adam, sgd, got 'rmsprop'$"):
        Toy(method="rmsprop")
    with pytest.raises(ConfigError, match=r"^--toy-epochs must be at least 1, got -2$"):
        Toy(epochs=-2)


def test_reading_settings_whose_options_were_not_declared_names_the_flag() -> None:
    with pytest.raises(ConfigError, match="no option --toy-inner-width was declared"):
        from_options(Inner, {})


def test_a_field_takes_one_kind_of_check() -> None:
    with pytest.raises(TypeError, match="one lower bound"):
        setting(1, "x", at_least=0, above=0)
    with pytest.raises(TypeError, match="not several"):
        setting(1, "x", at_least=0, choices=("a",))
    with pytest.raises(TypeError, match="expect"):
        setting(1, "x", check=bool)
