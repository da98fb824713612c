"""attnbook.views: the data the interactive views carry, their HTML, and their errors.

What the views do in a browser is tested in tests/browser/test_interactive_views.py.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import attnbook
from attnbook import (
    AttentionView,
    PoolingExplorable,
    attention_pooling,
    attention_view,
    pooling_explorable,
    show_heatmaps,
    to_svg,
    views_script,
)
from attnbook.views import _script_tag

ROOT = Path(__file__).resolve().parents[1]
DATA = re.compile(r'data-spec="([^"]*)"')


def data_of(text: str) -> dict[str, Any]:
    match = DATA.search(text)
    assert match is not None
    return json.loads(html.unescape(match.group(1)))  # type: ignore[no-any-return]


def levels_of(data: dict[str, Any]) -> np.ndarray:
    raw = zlib.decompress(base64.b64decode(data["levels"]))
    shape = (data["layers"], data["heads"], data["queries"], data["keys"])
    return np.frombuffer(raw, np.uint8).reshape(shape)


# --- the script ----------------------------------------------------------------------


def test_one_script_for_package_and_site() -> None:
    """The site's copy is a link to the package's: one script, two ways to load it."""
    site_copy = ROOT / "docs" / "assets" / "views.js"
    assert site_copy.is_symlink()
    assert site_copy.resolve() == (ROOT / "attnbook" / "views.js").resolve()
    assert "assets/views.js" in (ROOT / "mkdocs.yml").read_text()


def test_script_budget_and_no_other_host() -> None:
    script = views_script()
    assert len(gzip.compress(script.encode(), 9)) <= 12 * 1024
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script)  # nothing fetched
    assert "import(" not in script and "require(" not in script


# --- the attention view ----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(*(st.integers(1, 4) for _ in range(4))),
        elements=st.floats(-5, 5, allow_nan=False, width=32),
    )
)
def test_quantisation_round_trips_within_half_a_step(weights: np.ndarray) -> None:
    view = attention_view(weights)
    data = data_of(view.to_html(script=False))
    levels = levels_of(data)
    assert np.array_equal(levels, view.levels)
    shown = data["low"] + (data["high"] - data["low"]) / 255 * levels.astype(np.float64)
    assert np.abs(shown - weights).max() <= view.step / 2 + 1e-12
    assert np.allclose(view.weights(), shown)


def test_softmax_weights_round_trip_and_palette_is_the_colormap() -> None:
    weights = torch.softmax(torch.randn(3, 2, 5, 5, generator=torch.Generator().manual_seed(1)), -1)
    view = attention_view(weights, list("abcde"))
    assert view.low == 0.0 and view.high == pytest.approx(float(weights.max()))
    assert np.abs(view.weights() - weights.numpy()).max() <= view.step / 2 + 1e-12
    palette = np.frombuffer(base64.b64decode(data_of(view.to_html())["palette"]), np.uint8)
    assert palette.shape == (768,)
    assert tuple(palette[-3:]) == (103, 0, 13)  # "Reds" at its darkest


def test_model_outputs_and_shapes() -> None:
    attentions = tuple(torch.rand(1, 3, 4, 4) for _ in range(2))  # a transformers model's
    assert attention_view(attentions).levels.shape == (2, 3, 4, 4)
    assert attention_view(np.eye(3)).levels.shape == (1, 1, 3, 3)
    assert attention_view(np.ones((2, 3, 5))).levels.shape == (1, 2, 3, 5)
    constant = attention_view(np.zeros((2, 2)))
    assert constant.levels.max() == 0 and (constant.low, constant.high) == (0.0, 1.0)


def test_html_is_self_contained_and_token_view_only_for_self_attention() -> None:
    view = attention_view(np.full((1, 2, 3, 3), 1 / 3), ["a", "</script>", "c"])
    page = view._repr_html_()
    assert page.startswith('<div class="attnbook-view" data-search-exclude data-spec="{')
    assert page.count("<script") == 1 and page.endswith(_script_tag())
    loader = unquote(page.rpartition("data:text/javascript,")[2].partition('"')[0])
    packed = loader.partition('atob("')[2].partition('")')[0]
    assert zlib.decompress(base64.b64decode(packed)).decode() == views_script()
    assert len(_script_tag()) < 20_000  # a notebook of many figures stays light
    assert "<" not in DATA.search(page).group(1)  # type: ignore[union-attr]
    data = data_of(page)
    assert data["query_tokens"][1] == "</script>" and data["token_view"] is True
    assert "<script" not in view.to_html(script=False)
    cross = attention_view(np.ones((2, 3)), ["q1", "q2"], key_tokens=["k1", "k2", "k3"])
    assert data_of(cross.to_html())["token_view"] is False
    bundle = view._repr_mimebundle_()
    assert sorted(bundle) == ["text/html", "text/plain"]
    assert bundle["text/plain"].startswith("<AttentionView: 1 layer(s) × 2 head(s)")
    assert list(view._repr_mimebundle_(include=["text/plain"])) == ["text/plain"]


def test_a_model_size_view_stays_compact() -> None:
    generator = torch.Generator().manual_seed(0)
    scores = torch.randn(12, 12, 128, 128, generator=generator) * 3
    view = attention_view(torch.softmax(scores, -1))
    assert len(view.to_html(script=False)) < 3_000_000  # raw levels alone are 2.36 MB


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"weights": "abc"}, TypeError, "weights must be numbers"),
        ({"weights": np.zeros((2, 2, 2, 2, 2, 2))}, ValueError, "weights must have shape"),
        ({"weights": np.zeros((2, 2, 2, 3, 3))}, ValueError, "batch of 2"),
        ({"weights": np.zeros((0, 3))}, ValueError, "weights must not be empty"),
        ({"weights": [[np.nan, 1.0]]}, ValueError, "weights must be finite"),
        ({"tokens": "abc"}, TypeError, "tokens must be a list of str"),
        ({"tokens": ["a", "b"]}, ValueError, "tokens must have 3 item(s)"),
        ({"tokens": ["a", "b", 3]}, TypeError, "tokens must hold str"),
        ({"key_tokens": ["a"]}, ValueError, "key_tokens must have 3 item(s)"),
        ({"layer_names": ["a", "b"]}, ValueError, "layer_names must have 1 item(s)"),
        ({"head_names": 5}, TypeError, "head_names must be a list of str"),
        ({"cmap": "Redz"}, ValueError, "cmap 'Redz' is not a matplotlib colormap"),
        ({"cmap": 3}, TypeError, "cmap must be"),
    ],
)
def test_attention_view_errors_name_the_argument(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {"weights": np.eye(3), **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        attention_view(**arguments)


def test_cross_attention_needs_key_tokens() -> None:
    with pytest.raises(ValueError, match="give key_tokens"):
        attention_view(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(TypeError, match="script must be a bool"):
        attention_view(np.eye(2)).to_html(script=1)  # type: ignore[arg-type]


# --- the pooling explorable -------------------------------------------------------------


def test_explorable_data_matches_attention_pooling_inputs() -> None:
    keys = np.linspace(0, 1, 5)
    explorable = pooling_explorable(keys, keys**2, query=0.25, bandwidth=0.1)
    data = data_of(explorable.to_html(script=False))
    assert data["keys"] == keys.tolist() and data["values"] == (keys**2).tolist()
    assert data["query_range"] == [0.0, 1.0]
    assert (data["query"], data["bandwidth"], data["bandwidth_range"]) == (0.25, 0.1, [0.02, 5.0])
    assert isinstance(explorable, PoolingExplorable)
    # Its default query is the middle of the keys, and Python's output is the reference.
    output, _ = attention_pooling([[0.5]], keys[:, None], (keys**2)[:, None], "gaussian")
    assert pooling_explorable(keys, keys**2).query == 0.5
    assert output.shape == (1, 1)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([0.0], [1.0]), {}, ValueError, "keys must hold at least 2 positions"),
        (([0.0, 1.0], [1.0]), {}, ValueError, "values must have one number per key"),
        (([1.0, 1.0], [1.0, 2.0]), {}, ValueError, "keys must not all be equal"),
        (([0.0, np.inf], [1.0, 2.0]), {}, ValueError, "keys must be finite"),
        (([[0.0, 1.0]], [1.0, 2.0]), {}, ValueError, "keys must be one number per key"),
        (("ab", [1.0, 2.0]), {}, TypeError, "keys must be numbers"),
        (([0.0, 1.0], [1.0, 2.0]), {"query": 2.0}, ValueError, "query must lie within"),
        (([0.0, 1.0], [1.0, 2.0]), {"query": "0"}, TypeError, "query must be a real number"),
        (([0.0, 1.0], [1.0, 2.0]), {"bandwidth": 9.0}, ValueError, "bandwidth must lie within"),
        (([0.0, 1.0], [1.0, 2.0]), {"bandwidth": True}, TypeError, "bandwidth must be a real"),
        (
            ([0.0, 1.0], [1.0, 2.0]),
            {"bandwidth_range": (1.0, 0.5)},
            ValueError,
            "bandwidth_range must be two positive numbers",
        ),
        (([0.0, 1.0], [1.0, 2.0]), {"bandwidth_range": [0.1, 1]}, TypeError, "bandwidth_range"),
        (([0.0, 1.0], [1.0, 2.0]), {"alt": 3}, TypeError, "alt must be a str"),
    ],
)
def test_explorable_errors_name_the_argument(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        pooling_explorable(*args, **kwargs)


# --- heatmaps carry what the readout needs -----------------------------------------------


def test_heatmap_svg_carries_axis_labels_and_jupyter_inlines_the_script() -> None:
    fig = show_heatmaps(np.eye(3), "Keys", "Queries", xticklabels=["a", "b", "c"])
    svg = to_svg(fig)
    ticks = "[&quot;a&quot;,&quot;b&quot;,&quot;c&quot;]"
    assert f'data-y="Queries" data-x="Keys" data-xt="{ticks}"' in svg
    assert "data-yt" not in svg  # positions need no labels
    html = fig._repr_mimebundle_()["text/html"]
    assert isinstance(html, str) and html == svg + _script_tag()
    plain = attnbook.attention_cue_scene("coffee")._repr_mimebundle_()["text/html"]
    assert isinstance(plain, str) and "<script" not in plain  # no cells, no script


def test_public_names() -> None:
    for name in ("AttentionView", "PoolingExplorable", "attention_view", "pooling_explorable"):
        assert name in attnbook.__all__
    assert isinstance(attention_view(np.eye(2)), AttentionView)
