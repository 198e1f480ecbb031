"""Loading plugins: only the named ones, each on its own, every failure one clear line."""

import pytest

from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.errors import ConfigError, PluginError
from nas_core.options import OptionGroup
from nas_core.plugin_manager import PluginManager, installed_plugins
from nas_core.session import open_session
from nas_core.testing import require_data_dir


def run_spec(*plugins: str) -> RunSpec:
    return RunSpec(plugins, Budget(trials=5), benchmark="nb201", dataset="cifar10", data_dir=require_data_dir())


def one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_the_baselines_and_the_example_are_installed_entry_points() -> None:
    assert {"random", "evolution", "hillclimb"} <= set(installed_plugins())


def test_only_named_plugins_are_loaded() -> None:
    manager = PluginManager()
    manager.load(["random"])
    assert list(manager.loaded) == ["random"]
    assert manager.loaded["random"].distribution == "nas-core"


def test_an_object_a_plugin_registered_is_found_by_its_name() -> None:
    manager = PluginManager()
    manager.load(["random"])
    found = object()
    manager.register(found, "random.Helper", owner="random")
    assert manager.get("random.Helper") is found and manager.get("random.Missing") is None


def test_an_unknown_plugin_lists_the_installed_ones() -> None:
    with pytest.raises(PluginError) as exc:
        PluginManager().load(["gpnass"])
    assert "unknown plugin 'gpnass' (installed: " in one_line(exc) and "evolution" in str(exc.value)


def test_a_plugin_that_fails_to_import_is_named_with_its_error() -> None:
    with pytest.raises(PluginError) as exc:
        PluginManager().load(["nastest_plugins.broken"])
    assert one_line(exc) == (
        "plugin 'nastest_plugins.broken' (module nastest_plugins.broken) failed to import: "
        "ModuleNotFoundError: No module named 'nas_this_dependency_is_not_installed'"
    )


def test_two_strategies_are_an_error_naming_both() -> None:
    with pytest.raises(PluginError) as exc:
        open_session(run_spec("random", "evolution"))
    assert "'evolution' and 'random' both implement nas_propose" in one_line(exc)


def test_no_strategy_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no search strategy: name one with --plugin"):
        open_session(run_spec("nastest_plugins.slow"))


def test_a_misspelled_hook_is_caught_before_the_run() -> None:
    with pytest.raises(PluginError) as exc:
        open_session(run_spec("random", "nastest_plugins.typo"))
    assert "plugin 'nastest_plugins.typo' implements an unknown hook" in one_line(exc)
    assert "nas_propse" in str(exc.value)


def test_a_missing_capability_names_the_plugin_and_the_space(tmp_path) -> None:
    table = tmp_path / "mine.csv"
    table.write_text("arch,valid_acc\na,1\nb,2\n")
    spec = RunSpec(("random", "nastest_plugins.needs_graph_build"), Budget(trials=5), benchmark=str(table))
    with pytest.raises(ConfigError) as exc:
        open_session(spec)
    assert "plugin 'nastest_plugins.needs_graph_build' needs build from the search space" in one_line(exc)
    assert "'mine'" in str(exc.value)


def test_option_flags_must_be_unique_and_well_formed() -> None:
    group = OptionGroup()
    group.addoption("--mine-size", type=int, default=3)
    with pytest.raises(PluginError, match="declared by two plugins"):
        group.addoption("--mine-size", type=int, default=4)
    with pytest.raises(PluginError, match="look like"):
        group.addoption("size")
    assert group.resolve({"mine_size": "7"}) == {"mine_size": 7}
    with pytest.raises(ConfigError, match="invalid value for --mine-size: 'x' is not a valid int"):
        group.resolve({"--mine-size": "x"})


# -- plugins that require plugins (NAS_PLUGINS) ------------------------------------------------------
COUNTER, COUNTING, COUNTING_TOO = (f"nastest_plugins.{name}" for name in ("counter", "counting", "counting_too"))


def loaded(*names: str) -> PluginManager:
    manager = PluginManager()
    manager.load(names)
    return manager


def test_a_required_plugin_is_loaded_before_the_plugin_that_requires_it() -> None:
    manager = loaded("random", COUNTING)
    assert list(manager.loaded) == ["random", COUNTER, COUNTING]
    assert manager.requires == {"random": (), COUNTER: (), COUNTING: (COUNTER,)}


def test_a_plugin_required_twice_or_also_named_is_loaded_once_in_either_order() -> None:
    for names in ((COUNTING_TOO,), (COUNTER, COUNTING_TOO), (COUNTING_TOO, COUNTING, COUNTER)):
        manager = loaded(*names)
        assert list(manager.loaded) == [COUNTER, COUNTING, COUNTING_TOO]
        group = OptionGroup()
        manager.hooks.addoption(group)  # two declarations of --counter-start would raise
        assert [o.flag for o in group if o.flag.startswith("--counter")] == ["--counter-start"]


def test_a_run_with_a_requirement_configures_it_and_reads_its_options() -> None:
    session = open_session(RunSpec(("random", COUNTING), Budget(trials=3), benchmark="nb201", dataset="cifar10",
                                   options={"counter_start": 4}, data_dir=require_data_dir()))  # fmt: skip
    try:
        assert session.plugins.get(f"{COUNTER}.Counter").count == 4
        assert session.spec.plugins == ("random", COUNTING)  # the study records what the user named
    finally:
        session.close()


def test_requirements_in_a_cycle_are_one_line_naming_the_cycle() -> None:
    with pytest.raises(PluginError) as exc:
        loaded("nastest_plugins.cycle_a")
    assert one_line(exc) == (
        "plugins require each other in a cycle: "
        "nastest_plugins.cycle_a -> nastest_plugins.cycle_b -> nastest_plugins.cycle_a"
    )


def test_an_unknown_requirement_names_the_plugin_that_requires_it() -> None:
    with pytest.raises(PluginError) as exc:
        loaded("nastest_plugins.requires_missing")
    message = one_line(exc)
    assert message.startswith("plugin 'nastest_plugins.requires_missing' requires 'no-such-plugin', which is not installed")
    assert "evolution" in message


def test_requirements_must_be_a_tuple_of_names() -> None:
    with pytest.raises(PluginError) as exc:
        loaded("nastest_plugins.requires_text")
    assert "NAS_PLUGINS must be a tuple of plugin names" in one_line(exc)


def test_state_recorded_before_an_object_moved_into_a_required_plugin_still_loads() -> None:
    manager = loaded(COUNTING)
    manager.register(manager.get(COUNTER).Counter(0), f"{COUNTER}.Counter", owner=COUNTER)
    manager.load_state_dicts({f"{COUNTING}.Counter": {"count": 9}})
    assert manager.get(f"{COUNTER}.Counter").count == 9
    with pytest.raises(PluginError, match="holds state for 'nastest_plugins.counting.Other'"):
        manager.load_state_dicts({f"{COUNTING}.Other": {}})


def test_state_under_an_objects_new_name_wins_over_its_old_name() -> None:
    manager = loaded(COUNTING)
    manager.register(manager.get(COUNTER).Counter(0), f"{COUNTER}.Counter", owner=COUNTER)
    for states in ({f"{COUNTING}.Counter": {"count": 1}, f"{COUNTER}.Counter": {"count": 2}},
                   {f"{COUNTER}.Counter": {"count": 2}, f"{COUNTING}.Counter": {"count": 1}}):  # fmt: skip
        manager.load_state_dicts(states)
        assert manager.get(f"{COUNTER}.Counter").count == 2
