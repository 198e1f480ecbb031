"""Pictures of architectures: which drawing each kind gets, and that they are well-formed SVG
whose every label is text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from nas_core import MLPChain, MLPSpace, NB201Cell, NB201Space, TableSpace

from nas_dashboard.drawing import architecture_svg, chain, darts_cells, node_dag

SVG = "{http://www.w3.org/2000/svg}"


def labels(svg: str) -> list[str]:
    return [node.text or "" for node in ET.fromstring(svg).iter(f"{SVG}text")]


def test_an_nb201_cell_draws_each_edge_but_none_with_its_op() -> None:
    cell = NB201Cell(("nor_conv_3x3", "none", "skip_connect", "avg_pool_3x3", "none", "nor_conv_1x1"))
    svg = architecture_svg(cell, NB201Space(), {}, "trial 3")
    found = labels(svg)
    assert found[0] == "trial 3" and "none" not in found
    assert sorted(found[1:5]) == sorted(["nor_conv_3x3", "skip_connect", "avg_pool_3x3", "nor_conv_1x1"])
    assert found[5:] == ["input", "node 1", "node 2", "output"]
    assert len(list(ET.fromstring(svg).iter(f"{SVG}path"))) == 4 + 1  # four edges and the arrow head


def test_an_mlp_is_a_chain_from_its_input_shape_to_its_classes() -> None:
    chain_ = MLPChain(("64-relu", "32-tanh"))
    svg = architecture_svg(chain_, MLPSpace(), {"input_shape": [1, 8, 8], "num_classes": 10}, "t")
    assert labels(svg)[1:] == ["input 1x8x8", "64-relu", "32-tanh", "10 softmax"]


def test_darts_cells_both_with_two_labelled_inputs_per_node() -> None:
    normal = [["sep_conv_3x3", 0], ["skip_connect", 1], ["sep_conv_5x5", 1], ["dil_conv_3x3", 2],
              ["max_pool_3x3", 0], ["sep_conv_3x3", 3], ["avg_pool_3x3", 2], ["skip_connect", 4]]  # fmt: skip
    found = labels(darts_cells(normal, normal[::-1], "answer"))
    assert found.count("normal cell") == found.count("reduction cell") == 1
    assert found.count("sep_conv_3x3") == 4 and found.count("c_{k}") == 2


def test_a_table_architecture_uses_its_space_s_graph_and_labels_are_escaped(tmp_path: Any) -> None:
    table = tmp_path / "t.csv"
    table.write_text('arch,valid_acc\n"[""<script>x</script>"", ""a & b""]",1\n"[""c"", ""d""]",2\n')
    from nas_core import load_benchmark

    space = load_benchmark(str(table), None, None).space
    assert isinstance(space, TableSpace)
    arch = space.decode({"kind": "table", "encoding": '["<script>x</script>", "a & b"]'})
    svg = architecture_svg(arch, space, {}, "<i>title</i>")
    assert "<script>" not in svg and "<i>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg and "a &amp; b" in svg
    assert labels(svg) == ["<i>title</i>", "input", "<script>x</script>", "a & b", "output"]


def test_a_dag_with_branches_is_drawn_in_columns() -> None:
    svg = node_dag(["input", "conv", "pool", "output"], [(0, 1), (0, 2), (1, 3), (2, 3)], [0, 1, 1, 2], "dag")
    boxes = {t.text: float(t.get("x")) for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text != "dag"}
    assert boxes["input"] < boxes["conv"] == boxes["pool"] < boxes["output"]
    assert labels(chain(["a"], "one"))[1:] == ["a"]
