"""Tests for attnbook.attention: errors, agreement with torch, masks, dtypes and gradients."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attnbook.attention import attention_pooling, average_pooling, masked_softmax, softmax

FAST = settings(max_examples=30, deadline=None)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def score_arrays(min_dims: int = 1, max_dims: int = 3) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=5),
        elements=finite,
    )


@st.composite
def qkv(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    batch = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    n_q, n_k, d, v = (draw(st.integers(1, 4)) for _ in range(4))
    elements = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
    queries = draw(hnp.arrays(np.float64, (*batch, n_q, d), elements=elements))
    keys = draw(hnp.arrays(np.float64, (*batch, n_k, d), elements=elements))
    values = draw(hnp.arrays(np.float64, (*batch, n_k, v), elements=elements))
    return queries, keys, values


# --- softmax ---------------------------------------------------------------------------------


@FAST
@given(x=score_arrays(), data=st.data())
def test_softmax_slices_sum_to_one_along_axis(x: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    weights = softmax(x, axis=axis)
    assert isinstance(weights, np.ndarray)
    assert weights.shape == x.shape
    assert np.all(weights >= 0)
    np.testing.assert_allclose(weights.sum(axis=axis), 1.0, rtol=1e-12)


@FAST
@given(x=score_arrays(min_dims=2), shift=finite)
def test_softmax_ignores_a_constant_added_to_each_row(x: np.ndarray, shift: float) -> None:
    shifts = shift * np.arange(x.shape[-2])[:, None]  # a different constant for each row
    np.testing.assert_allclose(softmax(x + shifts), softmax(x), atol=1e-12)


@FAST
@given(x=score_arrays(), data=st.data())
def test_softmax_agrees_with_torch_softmax(x: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expected = torch.softmax(torch.from_numpy(x), dim=axis).numpy()
    np.testing.assert_allclose(softmax(x, axis=axis), expected, atol=1e-12)
    from_tensor = softmax(torch.from_numpy(x), axis=axis)
    assert isinstance(from_tensor, torch.Tensor)
    np.testing.assert_allclose(from_tensor.numpy(), expected, atol=1e-12)


def test_softmax_is_stable_for_huge_scores() -> None:
    np.testing.assert_allclose(softmax([1000.0, 1000.0]), [0.5, 0.5])
    np.testing.assert_allclose(softmax([-1e308, 1e308]), [0.0, 1.0])
    np.testing.assert_allclose(softmax(torch.tensor([1e4, 0.0])).numpy(), [1.0, 0.0])


def test_softmax_treats_minus_inf_as_weight_zero() -> None:
    np.testing.assert_allclose(softmax([0.0, -np.inf, 0.0]), [0.5, 0.0, 0.5])


def test_softmax_default_axis_makes_rows_sum_to_one_not_columns() -> None:
    x = np.random.default_rng(0).normal(size=(10, 10))
    np.testing.assert_allclose(softmax(x).sum(axis=1), np.ones(10))
    assert not np.allclose(softmax(x, axis=0).sum(axis=1), np.ones(10))


def test_softmax_returns_the_input_kind() -> None:
    assert softmax([1, 2]).dtype == np.float64
    assert softmax(np.array([1, 2], dtype=np.float32)).dtype == np.float64
    integers = softmax(torch.tensor([1, 2]))
    assert isinstance(integers, torch.Tensor)
    assert integers.dtype == torch.get_default_dtype()


def test_inputs_are_not_modified() -> None:
    x = np.array([[1.0, -np.inf, 2.0]])
    keep = x.copy()
    masked_softmax(x, valid_lens=[1])
    softmax(x)
    np.testing.assert_array_equal(x, keep)


# --- masked_softmax --------------------------------------------------------------------------


@FAST
@given(x=score_arrays(min_dims=2), data=st.data())
def test_masked_softmax_valid_lens_per_row(x: np.ndarray, data: st.DataObject) -> None:
    n = x.shape[-1]
    lens = data.draw(hnp.arrays(np.int64, x.shape[:-1], elements=st.integers(0, n)))
    weights = masked_softmax(x, lens)
    kept = np.arange(n) < lens[..., None]
    assert not np.isnan(weights).any()
    assert np.all(weights[~kept] == 0)
    np.testing.assert_allclose(weights.sum(-1), np.where(lens > 0, 1.0, 0.0), atol=1e-12)
    np.testing.assert_allclose(weights, masked_softmax(x, mask=kept))


@FAST
@given(x=score_arrays(min_dims=3, max_dims=3), data=st.data())
def test_masked_softmax_valid_lens_per_batch_is_shared_by_rows(
    x: np.ndarray, data: st.DataObject
) -> None:
    lens = data.draw(hnp.arrays(np.int64, x.shape[:1], elements=st.integers(0, x.shape[-1])))
    per_row = np.broadcast_to(lens[:, None], x.shape[:-1])
    np.testing.assert_array_equal(masked_softmax(x, lens), masked_softmax(x, per_row))


@FAST
@given(x=score_arrays(min_dims=2), data=st.data())
def test_masked_softmax_torch_agrees_with_numpy_and_fully_masked_rows_are_zero(
    x: np.ndarray, data: st.DataObject
) -> None:
    mask = data.draw(hnp.arrays(np.bool_, x.shape))
    expected = masked_softmax(x, mask=mask)
    got = masked_softmax(torch.from_numpy(x).requires_grad_(), mask=torch.from_numpy(mask))
    np.testing.assert_allclose(got.detach().numpy(), expected, atol=1e-12)
    dropped = ~mask.any(axis=-1)
    assert np.all(expected[dropped] == 0)
    assert not np.isnan(expected).any()
    got.sum().backward()  # no NaN gradients, even through fully masked rows


def test_masked_softmax_fully_masked_row_is_zeros_and_gradients_stay_finite() -> None:
    scores = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    weights = masked_softmax(scores, torch.tensor([0, 2]))
    assert torch.equal(weights[0], torch.zeros(3, dtype=torch.float64))
    (weights * torch.arange(3.0, dtype=torch.float64)).sum().backward()
    assert scores.grad is not None
    assert torch.isfinite(scores.grad).all()
    assert torch.equal(scores.grad[0], torch.zeros(3, dtype=torch.float64))


def test_masked_softmax_row_of_only_minus_inf_is_zeros() -> None:
    np.testing.assert_array_equal(masked_softmax([[-np.inf, -np.inf]]), [[0.0, 0.0]])


def test_masked_softmax_with_another_axis() -> None:
    scores = np.zeros((3, 2))
    weights = masked_softmax(scores, valid_lens=[1, 3], axis=0)
    np.testing.assert_allclose(weights, [[1.0, 1 / 3], [0.0, 1 / 3], [0.0, 1 / 3]])


def test_masked_softmax_accepts_lengths_and_masks_of_any_kind() -> None:
    scores = torch.zeros(2, 3)
    a = masked_softmax(scores, valid_lens=np.array([1, 2]))
    b = masked_softmax(scores, valid_lens=[1.0, 2.0])
    c = masked_softmax(scores, mask=[[True, False, False], [True, True, False]])
    assert torch.equal(a, b)
    assert torch.equal(a, c)


def test_masked_softmax_gradient_matches_finite_differences() -> None:
    scores = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    lens = torch.tensor([[1, 4, 2], [3, 0, 4]])
    assert torch.autograd.gradcheck(lambda s: masked_softmax(s, lens), (scores,))


# --- pooling ---------------------------------------------------------------------------------


def sdpa(
    queries: np.ndarray, keys: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    attn_mask = None if mask is None else torch.from_numpy(mask)
    out = F.scaled_dot_product_attention(
        torch.from_numpy(queries),
        torch.from_numpy(keys),
        torch.from_numpy(values),
        attn_mask=attn_mask,
    )
    return out.numpy()


@FAST
@given(inputs=qkv())
def test_scaled_dot_agrees_with_torch_sdpa(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    queries, keys, values = inputs
    output, weights = attention_pooling(queries, keys, values, "scaled_dot")
    np.testing.assert_allclose(output, sdpa(queries, keys, values), atol=1e-10)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-12)
    assert weights.shape == (*queries.shape[:-1], keys.shape[-2])
    t_output, _ = attention_pooling(*(torch.from_numpy(a) for a in inputs))
    np.testing.assert_allclose(t_output.numpy(), output, atol=1e-10)


@FAST
@given(inputs=qkv(), data=st.data())
def test_scaled_dot_with_a_boolean_mask_agrees_with_torch_sdpa(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    queries, keys, values = inputs
    shape = (*queries.shape[:-1], keys.shape[-2])
    mask = data.draw(hnp.arrays(np.bool_, shape))
    mask[..., 0] |= ~mask.any(axis=-1)  # every query keeps a key: compare only defined rows
    output, weights = attention_pooling(queries, keys, values, mask=mask)
    np.testing.assert_allclose(output, sdpa(queries, keys, values, mask), atol=1e-10)
    assert np.all(weights[~mask] == 0)
    t_output, _ = attention_pooling(
        *(torch.from_numpy(a) for a in inputs), mask=torch.from_numpy(mask)
    )
    np.testing.assert_allclose(t_output.numpy(), output, atol=1e-10)


@FAST
@given(inputs=qkv(), data=st.data())
def test_queries_without_keys_get_zero_weights_and_output(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    queries, keys, values = inputs
    n_k = keys.shape[-2]
    lens = data.draw(hnp.arrays(np.int64, queries.shape[:-1], elements=st.integers(0, n_k)))
    output, weights = attention_pooling(queries, keys, values, "dot", valid_lens=lens)
    assert not np.isnan(output).any()
    assert not np.isnan(weights).any()
    np.testing.assert_allclose(weights.sum(-1), np.where(lens > 0, 1.0, 0.0), atol=1e-12)
    assert np.all(output[lens == 0] == 0)


@FAST
@given(inputs=qkv(), constant=finite)
def test_constant_score_attention_pooling_is_average_pooling(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray], constant: float
) -> None:
    def same_score_everywhere(queries: np.ndarray, keys: np.ndarray) -> np.ndarray:
        return np.full((queries.shape[-2], keys.shape[-2]), constant)

    output, weights = attention_pooling(*inputs, same_score_everywhere)
    average_output, average_weights = average_pooling(*inputs)
    np.testing.assert_allclose(weights, average_weights, rtol=1e-12)
    np.testing.assert_allclose(output, average_output, rtol=1e-9, atol=1e-12)


def test_average_pooling_gives_every_query_the_mean_of_the_values() -> None:
    values = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]])
    output, weights = average_pooling(np.ones((4, 2)), np.zeros((3, 2)), values)
    np.testing.assert_allclose(weights, np.full((4, 3), 1 / 3))
    np.testing.assert_allclose(output, np.tile(values.mean(axis=0), (4, 1)))


def test_average_pooling_torch_keeps_dtype_and_differentiates_values() -> None:
    values = torch.randn(3, 2, requires_grad=True)
    output, weights = average_pooling(torch.ones(4, 2), torch.zeros(3, 2), values)
    assert output.dtype == weights.dtype == torch.float32
    output.sum().backward()
    assert values.grad is not None
    torch.testing.assert_close(values.grad, torch.full((3, 2), 4 / 3))


@FAST
@given(inputs=qkv(), bandwidth=st.floats(0.1, 10))
def test_gaussian_score_is_nadaraya_watson(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray], bandwidth: float
) -> None:
    queries, keys, values = inputs
    distances = ((queries[..., :, None, :] - keys[..., None, :, :]) ** 2).sum(-1)
    kernel = np.exp(
        -distances / (2 * bandwidth**2) - (-distances / (2 * bandwidth**2)).max(-1)[..., None]
    )
    expected = kernel / kernel.sum(-1, keepdims=True)
    _, weights = attention_pooling(queries, keys, values, "gaussian", bandwidth=bandwidth)
    np.testing.assert_allclose(weights, expected, atol=1e-12)


def test_dot_and_scaled_dot_differ_by_sqrt_d() -> None:
    rng = np.random.default_rng(1)
    queries, keys, values = rng.normal(size=(2, 4)), rng.normal(size=(3, 4)), np.eye(3)
    _, dot = attention_pooling(queries * 2.0, keys, values, "dot")  # 2 = sqrt(d), d = 4
    _, scaled = attention_pooling(queries * 4.0, keys, values, "scaled_dot")
    np.testing.assert_allclose(dot, scaled)


def test_query_dependent_weights_pick_different_values() -> None:
    # The five objects of chapter 1 as (redness, readability) keys.
    keys = [[0.0, 0.8], [0.0, 1.0], [1.0, 0.0], [0.0, 0.3], [0.0, 0.9]]
    values = np.eye(5)
    red, read = [5.0, 0.0], [0.0, 5.0]
    _, weights = attention_pooling([red, read], keys, values, "dot")
    assert weights[0].argmax() == 2
    assert weights[1].argmax() == 1


def test_batch_dimensions_broadcast() -> None:
    keys, values = np.ones((2, 5, 3)), np.ones((2, 5, 4))
    output, weights = attention_pooling(np.ones((6, 3)), keys, values)
    assert output.shape == (2, 6, 4)
    assert weights.shape == (2, 6, 5)


# --- torch: dtypes, devices, gradients ----------------------------------------------------


TOLERANCE = {torch.float16: 2e-3, torch.bfloat16: 2e-2, torch.float32: 1e-5, torch.float64: 1e-12}


@pytest.mark.parametrize("dtype", list(TOLERANCE))
@pytest.mark.parametrize("score", ["dot", "scaled_dot", "gaussian"])
def test_float_dtypes_are_kept(dtype: torch.dtype, score: str) -> None:
    generator = torch.Generator().manual_seed(0)
    inputs = [torch.randn(2, 3, 4, generator=generator, dtype=torch.float64) for _ in range(3)]
    expected_output, expected_weights = attention_pooling(*inputs, score)
    cast = [a.to(dtype).requires_grad_() for a in inputs]
    output, weights = attention_pooling(*cast, score)
    assert output.dtype == weights.dtype == dtype
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(weights.double(), expected_weights, atol=tol, rtol=tol)
    torch.testing.assert_close(output.double(), expected_output, atol=5 * tol, rtol=5 * tol)
    output.float().sum().backward()
    for tensor in cast:
        assert tensor.grad is not None
        assert tensor.grad.dtype == dtype
    assert softmax(inputs[0].to(dtype)).dtype == dtype
    assert masked_softmax(inputs[0].to(dtype), [1, 2]).dtype == dtype


def test_mixed_float_dtypes_are_promoted() -> None:
    output, weights = attention_pooling(
        torch.ones(2, 3, dtype=torch.float16), torch.ones(4, 3), torch.ones(4, 2)
    )
    assert output.dtype == weights.dtype == torch.float32


@pytest.mark.parametrize("score", ["dot", "scaled_dot", "gaussian"])
def test_gradients_match_finite_differences(score: str) -> None:
    generator = torch.Generator().manual_seed(2)
    inputs = tuple(
        torch.randn(2, n, 3, generator=generator, dtype=torch.float64, requires_grad=True)
        for n in (3, 4, 4)
    )
    mask = torch.tensor([[True, True, False, True], [False, False, False, False], [True] * 4])

    def pooled(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return attention_pooling(q, k, v, score, mask=mask, bandwidth=0.7)[0]

    assert torch.autograd.gradcheck(pooled, inputs)


def test_softmax_gradient_matches_torch() -> None:
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    y = x.detach().clone().requires_grad_()
    weight = torch.randn(3, 5, dtype=torch.float64)
    (softmax(x) * weight).sum().backward()
    (torch.softmax(y, -1) * weight).sum().backward()
    assert x.grad is not None
    assert y.grad is not None
    torch.testing.assert_close(x.grad, y.grad)


def test_requires_grad_tensors_are_accepted_everywhere() -> None:
    q, k, v = (torch.ones(2, 3, requires_grad=True) for _ in range(3))
    assert softmax(q).requires_grad
    assert masked_softmax(q, mask=torch.ones(2, 3, dtype=torch.bool)).requires_grad
    assert attention_pooling(q, k, v, valid_lens=torch.tensor([1, 2]))[0].requires_grad
    assert average_pooling(q, k, v)[0].requires_grad


def test_torch_output_is_a_tensor_on_the_input_device() -> None:
    output, weights = attention_pooling(torch.ones(2, 3), torch.ones(4, 3), torch.ones(4, 2))
    assert isinstance(output, torch.Tensor)
    assert output.device == weights.device == torch.device("cpu")


def test_numpy_and_lists_give_float64_arrays() -> None:
    output, weights = attention_pooling([[1, 0]], [[1, 0], [0, 1]], [[1], [2]])
    assert isinstance(output, np.ndarray)
    assert output.dtype == weights.dtype == np.float64


def test_import_does_not_import_torch() -> None:
    code = "import sys, attnbook.attention; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- errors ------------------------------------------------------------------------------


Q, K, V = np.ones((2, 3)), np.ones((5, 3)), np.ones((5, 4))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: softmax(np.float64(1.0)), ValueError, r"axis=-1 .* x with ndim=0"),
        (lambda: softmax([[1.0, 2.0]], axis=2), ValueError, r"axis=2 .* ndim=2.*\[-2, 1\]"),
        (lambda: softmax([1.0], axis=0.0), TypeError, "axis must be an int, got float"),
        (lambda: softmax([1.0], axis=True), TypeError, "axis must be an int, got bool"),
        (lambda: softmax([]), ValueError, r"x must not be empty, got list of shape \(0,\)"),
        (lambda: softmax(np.zeros((2, 0))), ValueError, r"x must not be empty.*\(2, 0\)"),
        (lambda: softmax([[1.0, 2.0], [3.0]]), ValueError, r"x must be a rectangular nested"),
        (lambda: softmax(["a", "b"]), TypeError, "x must be real numbers"),
        (lambda: softmax("ab"), TypeError, "x must be numbers, got str"),
        (lambda: softmax([1 + 2j]), TypeError, "x must be real, got complex"),
        (lambda: softmax(torch.ones(2, dtype=torch.complex64)), TypeError, "x must be real"),
        (lambda: softmax([1.0, np.nan]), ValueError, "x must not hold NaN or .inf, got 1 NaN"),
        (lambda: softmax([1.0, np.inf]), ValueError, r"got 0 NaN and 1 \+inf"),
        (
            lambda: softmax(torch.tensor([np.nan, np.inf])),
            ValueError,
            r"x must not hold NaN or \+inf, got 1 NaN and 1 \+inf.*tensor of shape \(2,\)",
        ),
        (
            lambda: softmax([[0.0, 1.0], [-np.inf, -np.inf]]),
            ValueError,
            "1 slice.* made only of -inf.*use masked_softmax",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), [1, 2], mask=np.ones((2, 3), bool)),
            ValueError,
            "either valid_lens or mask, not both",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3, 4)), [[1, 2]]),
            ValueError,
            r"valid_lens must have shape \(2, 3\) .* or \(2,\) .*got list of shape \(1, 2\)",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), [1.5, 2]),
            ValueError,
            r"valid_lens must be whole numbers, got \[1.5\]",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), [-1, 2]),
            ValueError,
            "valid_lens must lie between 0 and 3 .* from -1 to 2",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), torch.tensor([1, 4])),
            ValueError,
            "valid_lens must lie between 0 and 3 .* from 1 to 4",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), [np.nan, 1]),
            ValueError,
            "valid_lens must be finite",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), [True, False]),
            TypeError,
            "valid_lens must be whole-number lengths, got booleans.*mask=",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), ["a", "b"]),
            TypeError,
            "valid_lens must be real numbers",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask=[1, 0, 1]),
            TypeError,
            r"mask must be boolean \(True = keep\), got list .* dtype int64",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask=torch.ones(2, 3)),
            TypeError,
            "mask must be boolean.*torch.float32",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask=[True, False]),
            ValueError,
            r"mask must broadcast to the scores' shape \(2, 3\), got list of shape \(2,\)",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask=[[True], [True, False]]),
            ValueError,
            "mask must be a rectangular nested list",
        ),
        (
            lambda: masked_softmax([[0.0, np.nan]]),
            ValueError,
            "scores must not hold NaN",
        ),
        (
            lambda: masked_softmax([0.0, 1.0], axis=-2),
            ValueError,
            "axis=-2 is out of range for scores with ndim=1",
        ),
    ],
)
def test_softmax_errors_name_the_argument(
    call: Callable[[], object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: attention_pooling(np.ones(3), K, V),
            ValueError,
            r"queries must have at least 2 dimensions \(\.\.\., n_queries, d\), got array of "
            r"shape \(3,\).*single query",
        ),
        (
            lambda: attention_pooling(Q, K, [1.0, 2.0]),
            ValueError,
            r"values must have at least 2 dimensions .*list of shape \(2,\)",
        ),
        (
            lambda: attention_pooling(Q, np.ones((0, 3)), V),
            ValueError,
            r"keys must not be empty, got array of shape \(0, 3\)",
        ),
        (
            lambda: attention_pooling(Q, K, np.full((5, 4), np.nan)),
            ValueError,
            "values must be finite, got 20 NaN",
        ),
        (
            lambda: attention_pooling(
                torch.full((2, 3), np.inf), torch.ones(5, 3), torch.ones(5, 4)
            ),
            ValueError,
            r"queries must be finite, got 0 NaN and 6 infinite.*tensor of shape \(2, 3\)",
        ),
        (
            lambda: attention_pooling(Q.astype(complex), K, V),
            TypeError,
            "queries must be real, got complex",
        ),
        (
            lambda: attention_pooling(Q, [["a", "b", "c"]] * 5, V),
            TypeError,
            "keys must be real numbers",
        ),
        (
            lambda: attention_pooling(Q, K, [[1.0] * 4] * 4 + [[1.0]]),
            ValueError,
            "values must be a rectangular nested list",
        ),
        (
            lambda: attention_pooling(Q, np.ones((5, 2)), V),
            ValueError,
            r"queries and keys must have the same number of features d .* queries has d=3 .*"
            r"keys has d=2",
        ),
        (
            lambda: attention_pooling(Q, K, np.ones((4, 4))),
            ValueError,
            r"keys and values must pair up one to one \(dim -2\): keys has 5 .* values has 4",
        ),
        (
            lambda: attention_pooling(np.ones((2, 2, 3)), np.ones((3, 5, 3)), np.ones((3, 5, 4))),
            ValueError,
            r"batch dimensions .* queries \(2,\), keys \(3,\), values \(3,\)",
        ),
        (
            lambda: attention_pooling(Q, K, V, "cosine"),
            ValueError,
            "unknown score 'cosine'; known scores are 'dot', 'scaled_dot', 'gaussian'",
        ),
        (
            lambda: attention_pooling(Q, K, V, 3),  # type: ignore[call-overload]
            TypeError,
            "score must be one of 'dot', 'scaled_dot', 'gaussian' or a callable.*got int",
        ),
        (
            lambda: attention_pooling(Q, K, V, "gaussian", bandwidth=0.0),
            ValueError,
            "bandwidth must be a positive finite number, got 0.0",
        ),
        (
            lambda: attention_pooling(Q, K, V, "gaussian", bandwidth=-1),
            ValueError,
            "bandwidth must be a positive finite number, got -1",
        ),
        (
            lambda: attention_pooling(Q, K, V, "gaussian", bandwidth=float("nan")),
            ValueError,
            "bandwidth must be a positive finite number, got nan",
        ),
        (
            lambda: attention_pooling(Q, K, V, "gaussian", bandwidth="1"),  # type: ignore[call-overload]
            TypeError,
            "bandwidth must be a real number, got str",
        ),
        (
            lambda: attention_pooling(torch.ones(2, 3), K, V),
            TypeError,
            r"queries, keys and values must be all torch tensors or all numpy arrays/lists, "
            r"not a mix: queries is tensor .* keys is array .*torch.as_tensor",
        ),
        (
            lambda: average_pooling(Q.tolist(), K, torch.ones(5, 4)),
            TypeError,
            r"not a mix: queries is list.*values is tensor",
        ),
        (
            lambda: attention_pooling(
                torch.ones(2, 3), torch.ones(5, 3, device="meta"), torch.ones(5, 4)
            ),
            ValueError,
            "must be on the same device, got queries on cpu, keys on meta",
        ),
        (
            lambda: attention_pooling(Q, K, V, lambda q, k: q),
            ValueError,
            r"score\(queries, keys\) must return scores of shape .* = \(2, 5\), got array of "
            r"shape \(2, 3\)",
        ),
        (
            lambda: attention_pooling(
                torch.ones(2, 3), torch.ones(5, 3), torch.ones(5, 4), lambda q, k: np.zeros((2, 5))
            ),
            TypeError,
            r"score\(queries, keys\) must return a torch tensor when given tensors, got array",
        ),
        (
            lambda: attention_pooling(Q, K, V, lambda q, k: np.full((2, 5), np.nan)),
            ValueError,
            r"the scores returned by score\(queries, keys\) must not hold NaN",
        ),
        (
            lambda: attention_pooling(Q * 1e200, K * 1e200, V, "dot"),
            ValueError,
            r"the attention scores \(score='dot'\) must be finite, got 0 NaN and 10 infinite",
        ),
        (
            lambda: attention_pooling(Q * 1e200, K * -1e200, V, "gaussian"),
            ValueError,
            r"the attention scores \(score='gaussian'\) must be finite",
        ),
        (
            lambda: attention_pooling(Q, K, V, valid_lens=[1, 2, 3]),
            ValueError,
            r"valid_lens must have shape \(2,\) \(one length per query\) or \(\) .*got list of "
            r"shape \(3,\)",
        ),
        (
            lambda: attention_pooling(Q, K, V, valid_lens=[1, 2], mask=np.ones((2, 5), bool)),
            ValueError,
            "either valid_lens or mask, not both",
        ),
        (
            lambda: attention_pooling(Q, K, V, mask=np.ones((3, 5), bool)),
            ValueError,
            r"mask must broadcast to the scores' shape \(2, 5\), got array of shape \(3, 5\)",
        ),
        (
            lambda: average_pooling(Q, np.ones((5, 2)), V),
            ValueError,
            "queries and keys must have the same number of features d",
        ),
        (
            lambda: average_pooling(Q, K, np.ones((3, 4))),
            ValueError,
            "keys and values must pair up one to one",
        ),
    ],
)
def test_pooling_errors_name_the_argument(
    call: Callable[[], object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


def test_a_score_function_may_use_minus_inf_to_rule_keys_out() -> None:
    def only_first_key(queries: np.ndarray, keys: np.ndarray) -> np.ndarray:
        scores = np.full((queries.shape[-2], keys.shape[-2]), -np.inf)
        scores[:, 0] = 0.0
        return scores

    output, weights = attention_pooling(Q, K, np.arange(20.0).reshape(5, 4), only_first_key)
    np.testing.assert_array_equal(weights[:, 0], [1.0, 1.0])
    np.testing.assert_array_equal(output, [[0.0, 1.0, 2.0, 3.0]] * 2)


def test_a_score_function_may_use_a_different_feature_size() -> None:
    projection = np.ones((4, 3))

    def bilinear(queries: np.ndarray, keys: np.ndarray) -> np.ndarray:
        return queries @ projection @ keys.swapaxes(-1, -2)

    output, _ = attention_pooling(np.ones((2, 4)), K, V, bilinear)
    assert output.shape == (2, 4)
