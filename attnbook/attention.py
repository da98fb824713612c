"""Softmax, average pooling and attention pooling, for numpy arrays and torch tensors alike.

Average pooling gives every value the same weight. Attention pooling computes the weights
from how well the query (the volitional cue) matches each key (the nonvolitional cue),
turns them into a probability distribution with softmax, and averages the values with
them. With a score that does not depend on the query, attention pooling *is* average
pooling.

Every function returns the kind of array it is given: torch tensors give torch tensors
(same device, same floating dtype, differentiable), numpy arrays and nested lists give
float64 numpy arrays. Importing this module does not import torch: a tensor is recognised
only when the caller has imported torch already.
"""

from __future__ import annotations

import functools
import math
import numbers
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from attnbook._arrays import check_finite, describe, is_tensor, to_numpy

if TYPE_CHECKING:
    import torch

__all__ = ["attention_pooling", "average_pooling", "masked_softmax", "softmax"]

#: A score function: ``score(queries, keys)`` returns scores of shape (..., n_queries, n_keys).
ScoreFunction = Callable[[Any, Any], Any]


# --- Turning inputs into checked working arrays --------------------------------------------


def _what(x: object, array: Any) -> str:
    """Describe an input for a message, giving the shape even when it was a list."""
    if is_tensor(x) or isinstance(x, np.ndarray):
        return describe(x)
    return f"{type(x).__name__} of shape {tuple(array.shape)}"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _all_tensors(named: Mapping[str, object]) -> bool:
    """Tell whether the inputs are all tensors (True) or all not (False); refuse a mix."""
    tensors = [name for name, x in named.items() if is_tensor(x)]
    if tensors and len(tensors) < len(named):
        # Converting silently would either drop gradients or hide a forgotten conversion.
        kinds = ", ".join(f"{name} is {describe(x)}" for name, x in named.items())
        raise TypeError(
            f"{_join(list(named))} must be all torch tensors or all numpy arrays/lists, "
            f"not a mix: {kinds}. Convert them with torch.as_tensor(...) first."
        )
    return bool(tensors)


def _check_values(x: Any, name: str, original: object, *, allow_neg_inf: bool = False) -> None:
    """Refuse NaN and infinite values (or only NaN and +inf, if -inf means 'masked')."""
    if is_tensor(x):
        torch = sys.modules["torch"]
        bad = torch.isnan(x) | (torch.isposinf(x) if allow_neg_inf else torch.isinf(x))
        if not bool(bad.any()):
            return
        nan, inf = int(torch.isnan(x).sum()), int((bad & ~torch.isnan(x)).sum())
    else:
        if not allow_neg_inf:
            check_finite(x, name)
            return
        if not (np.isnan(x).any() or np.isposinf(x).any()):
            return
        nan, inf = int(np.isnan(x).sum()), int(np.isposinf(x).sum())
    if allow_neg_inf:
        raise ValueError(
            f"{name} must not hold NaN or +inf, got {nan} NaN and {inf} +inf value(s) in "
            f"{_what(original, x)} (-inf is allowed: it means a weight of zero)"
        )
    raise ValueError(
        f"{name} must be finite, got {nan} NaN and {inf} infinite value(s) in {_what(original, x)}"
    )


def _prepare(named: Mapping[str, object], *, allow_neg_inf: bool = False) -> tuple[list[Any], Any]:
    """Convert the inputs to working arrays and check their values.

    numpy arrays and lists become float64 arrays. Tensors keep their device; integer and
    boolean tensors become torch's default float dtype, mixed float dtypes are promoted,
    and dtypes narrower than 32 bits (float16, bfloat16) are computed in float32.

    Returns:
        The working arrays, and the torch dtype to hand results back in (None for numpy).
    """
    if not _all_tensors(named):
        arrays = [to_numpy(x, name) for name, x in named.items()]
        for (name, x), array in zip(named.items(), arrays, strict=True):
            if array.size == 0:
                raise ValueError(f"{name} must not be empty, got {_what(x, array)}")
            _check_values(array, name, x, allow_neg_inf=allow_neg_inf)
        return arrays, None

    torch = sys.modules["torch"]
    devices = {str(x.device) for x in named.values()}  # type: ignore[attr-defined]
    if len(devices) > 1:
        where = ", ".join(f"{name} on {x.device}" for name, x in named.items())  # type: ignore[attr-defined]
        raise ValueError(f"{_join(list(named))} must be on the same device, got {where}")
    tensors = []
    for name, x in named.items():
        t: Any = x
        if t.is_complex():
            raise TypeError(f"{name} must be real, got a complex {describe(t)}")
        if not t.is_floating_point():
            t = t.to(torch.get_default_dtype())
        tensors.append(t)
    out_dtype = functools.reduce(torch.promote_types, [t.dtype for t in tensors])
    work_dtype = torch.float32 if torch.finfo(out_dtype).bits < 32 else out_dtype
    tensors = [t.to(work_dtype) for t in tensors]
    for (name, x), t in zip(named.items(), tensors, strict=True):
        if t.numel() == 0:
            raise ValueError(f"{name} must not be empty, got {describe(x)}")
        _check_values(t, name, x, allow_neg_inf=allow_neg_inf)
    return tensors, out_dtype


def _restore(x: Any, out_dtype: Any) -> Any:
    """Hand a working array back in the caller's dtype (a no-op for numpy)."""
    return x if out_dtype is None else x.to(out_dtype)


def _normalize_axis(axis: object, x: Any, name: str, original: object) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an int, got {type(axis).__name__} {axis!r}")
    ndim: int = x.ndim
    if not -ndim <= int(axis) < ndim:
        allowed = f"an axis in [{-ndim}, {ndim - 1}]" if ndim else "an array of at least 1-D"
        raise ValueError(
            f"axis={axis} is out of range for {name} with ndim={ndim} "
            f"({_what(original, x)}); expected {allowed}"
        )
    return int(axis) % ndim


# --- Which entries take part: valid lengths or a boolean mask --------------------------------


def _is_boolean(x: object) -> bool:
    if is_tensor(x):
        return bool(x.dtype == sys.modules["torch"].bool)  # type: ignore[attr-defined]
    try:
        return np.asarray(x).dtype == np.bool_
    except (TypeError, ValueError):  # ragged lists: to_numpy reports them
        return False


def _keep_from_valid_lens(
    valid_lens: object, shape: tuple[int, ...], axis: int, rows: tuple[str, str]
) -> NDArray[np.bool_]:
    """Turn lengths into a boolean mask that broadcasts against ``shape``."""
    if _is_boolean(valid_lens):
        raise TypeError(
            f"valid_lens must be whole-number lengths, got booleans ({describe(valid_lens)}); "
            "to keep or drop single entries pass a boolean array as mask= instead"
        )
    lens = to_numpy(valid_lens, "valid_lens")
    n = shape[axis]
    per_row = shape[:axis] + shape[axis + 1 :]
    if lens.shape == per_row:
        lens = lens[..., None]
    elif per_row and lens.shape == per_row[:-1]:
        lens = lens[..., None, None]  # one length per batch element, shared by its rows
    else:
        expected = f"{per_row} (one length per {rows[0]})"
        if per_row:
            expected += f" or {per_row[:-1]} (one per batch element, shared by its {rows[1]})"
        raise ValueError(f"valid_lens must have shape {expected}, got {_what(valid_lens, lens)}")
    check_finite(lens, "valid_lens")
    if np.any(lens != np.round(lens)):
        raise ValueError(f"valid_lens must be whole numbers, got {lens[lens != np.round(lens)]}")
    if np.any(lens < 0) or np.any(lens > n):
        raise ValueError(
            f"valid_lens must lie between 0 and {n} (the number of entries along the softmax "
            f"axis), got values from {lens.min():g} to {lens.max():g}"
        )
    keep = np.arange(n) < lens
    return np.moveaxis(keep, -1, axis)


def _keep_from_mask(mask: object, shape: tuple[int, ...]) -> NDArray[np.bool_]:
    if is_tensor(mask):
        array = np.asarray(mask.detach().cpu().numpy())  # type: ignore[attr-defined]
    else:
        to_numpy(mask, "mask")  # rejects ragged lists, strings and other non-numbers
        array = np.asarray(mask)
    if array.dtype != np.bool_:
        raise TypeError(
            f"mask must be boolean (True = keep), got {_what(mask, array)} with dtype "
            f"{array.dtype}; for lengths use valid_lens=, for additive float masks add them "
            "to the scores"
        )
    try:
        fits = np.broadcast_shapes(array.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"mask must broadcast to the scores' shape {shape}, got {_what(mask, array)}"
        )
    return array


# --- Softmax ----------------------------------------------------------------------------------


def _softmax_numpy(
    scores: NDArray[np.float64], keep: NDArray[np.bool_] | None, axis: int
) -> NDArray[np.float64]:
    """Stable masked softmax: dropped entries and fully dropped rows get weight zero."""
    if keep is not None:
        scores = np.where(keep, scores, -np.inf)
    # Subtracting each row's max keeps exp() from overflowing and does not change softmax.
    top = scores.max(axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)  # a row of only -inf: avoid -inf - -inf = NaN
    with np.errstate(over="ignore"):  # -1e308 - 1e308 overflows to -inf: its weight is 0
        exps = np.exp(scores - top)
    total = exps.sum(axis=axis, keepdims=True)
    return exps / np.where(total > 0, total, 1.0)  # all-zero rows stay zero, not 0/0


def _softmax_torch(scores: Any, keep: Any, axis: int) -> Any:
    """The same computation as ``_softmax_numpy``, line for line, with torch."""
    torch = sys.modules["torch"]
    if keep is not None:
        scores = scores.masked_fill(~keep, -math.inf)
    top = scores.detach().amax(dim=axis, keepdim=True)  # a constant shift: no gradient needed
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    exps = torch.exp(scores - top)
    total = exps.sum(dim=axis, keepdim=True)
    return exps / torch.where(total > 0, total, torch.ones_like(total))


def _masked_softmax(
    scores: Any,
    valid_lens: object,
    mask: object,
    axis: int,
    *,
    rows: tuple[str, str] = ("row", "rows"),
) -> Any:
    """Masked softmax of a checked working array; ``axis`` is already normalized."""
    if valid_lens is not None and mask is not None:
        raise ValueError(
            "pass either valid_lens or mask, not both: valid_lens is "
            f"{describe(valid_lens)} and mask is {describe(mask)}"
        )
    shape = tuple(scores.shape)
    keep: Any = None
    if valid_lens is not None:
        keep = _keep_from_valid_lens(valid_lens, shape, axis, rows)
    elif mask is not None:
        keep = _keep_from_mask(mask, shape)
    if not is_tensor(scores):
        return _softmax_numpy(scores, keep, axis)
    if keep is not None:
        keep = sys.modules["torch"].as_tensor(keep, device=scores.device)
    return _softmax_torch(scores, keep, axis)


@overload
def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor: ...
@overload
def softmax(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]: ...
def softmax(x: ArrayLike | torch.Tensor, axis: int = -1) -> NDArray[np.float64] | torch.Tensor:
    """Turn scores into probabilities along ``axis``: exp(x) / sum(exp(x)).

    The computation is numerically stable: each slice's maximum is subtracted first,
    which leaves the result unchanged (softmax ignores a constant added to every entry)
    and keeps ``exp`` from overflowing. An entry of ``-inf`` gets probability zero, so
    ``-inf`` can stand for "masked out"; a slice made only of ``-inf`` has no distribution
    and is refused (use [`masked_softmax`][attnbook.masked_softmax], which gives such a
    slice zeros).

    The default ``axis=-1`` makes each *row* of a matrix sum to 1; ``axis=0`` would make
    each *column* sum to 1, the pitfall of exercise 2.

    Taught in: "Summary and exercises" (docs/04-exercises.md).

    Args:
        x: Scores: a numpy array, a nested list of numbers or a torch tensor.
        axis: The axis along which the probabilities sum to 1.

    Returns:
        An array of the same shape as ``x``: a torch tensor for a tensor (same device and
        floating dtype, differentiable; integer tensors give the default float dtype,
        float16/bfloat16 are computed in float32), otherwise a float64 numpy array.

    Raises:
        TypeError: If ``x`` is complex or not numbers, or ``axis`` is not an int.
        ValueError: If ``x`` is empty or ragged, holds NaN or +inf, has a slice made only
            of -inf, or ``axis`` is out of range.

    Examples:
        >>> softmax([1.0, 2.0, 3.0])
        array([0.09003057, 0.24472847, 0.66524096])
        >>> softmax([[0.0, 0.0], [0.0, -np.inf]])
        array([[0.5, 0.5],
               [1. , 0. ]])
        >>> softmax([[1.0, 2.0], [3.0, 4.0]], axis=0).sum(axis=0)  # columns sum to 1
        array([1., 1.])
        >>> softmax([1.0, np.nan])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: x must not hold NaN or +inf, got 1 NaN and 0 +inf value(s) ...
    """
    (scores,), out_dtype = _prepare({"x": x}, allow_neg_inf=True)
    dim = _normalize_axis(axis, scores, "x", x)
    only_neg_inf = (scores == -math.inf).all(dim)  # the same call in numpy and torch
    if bool(only_neg_inf.any()):
        raise ValueError(
            f"x has {int(only_neg_inf.sum())} slice(s) along axis {axis} made only of -inf, "
            f"whose softmax is undefined (0/0) ({_what(x, scores)}); use masked_softmax, "
            "which gives such slices weights of zero"
        )
    return _restore(_masked_softmax(scores, None, None, dim), out_dtype)  # type: ignore[no-any-return]


@overload
def masked_softmax(
    scores: torch.Tensor,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    *,
    mask: ArrayLike | torch.Tensor | None = None,
    axis: int = -1,
) -> torch.Tensor: ...
@overload
def masked_softmax(
    scores: ArrayLike,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    *,
    mask: ArrayLike | torch.Tensor | None = None,
    axis: int = -1,
) -> NDArray[np.float64]: ...
def masked_softmax(
    scores: ArrayLike | torch.Tensor,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    *,
    mask: ArrayLike | torch.Tensor | None = None,
    axis: int = -1,
) -> NDArray[np.float64] | torch.Tensor:
    """Softmax along ``axis`` over only the entries that are kept; dropped ones weigh zero.

    Say which entries take part in one of two ways (not both):

    - ``valid_lens``: the first ``valid_lens`` entries of each slice are kept, as in d2l.
      For scores of shape (..., n_queries, n_keys) and ``axis=-1`` it has shape
      (..., n_queries) (one length per query) or (...) (one length per batch element,
      shared by all its queries, d2l's 1-D case). For another ``axis`` the same rule
      applies to the shape of ``scores`` with ``axis`` moved to the end.
    - ``mask``: booleans that broadcast to the shape of ``scores``; True means keep
      (the convention of ``torch.nn.functional.scaled_dot_product_attention``).

    A scores entry of ``-inf`` counts as dropped too. A **fully masked** slice (valid
    length 0, all-False mask, or only -inf entries) gets weights that are **all zero**,
    never NaN, so the values it would pool contribute nothing. (d2l instead fills dropped
    entries with -1e6, which gives a fully masked row uniform weights.)

    Taught in: "Queries, keys and values" (docs/02-queries-keys-values.md).

    Args:
        scores: A numpy array, nested list or torch tensor of scores.
        valid_lens: Whole-number lengths between 0 and ``scores.shape[axis]``, of any kind
            (list, array or tensor), or None.
        mask: A boolean array or tensor (True = keep), or None.
        axis: The axis along which the weights sum to 1.

    Returns:
        Weights of the shape of ``scores``, of its kind (see
        [`softmax`][attnbook.softmax]). Each slice along ``axis`` sums to 1, except fully
        masked ones, which are all zero.

    Raises:
        TypeError: If ``scores`` is complex or not numbers, ``mask`` is not boolean,
            ``valid_lens`` is boolean, or ``axis`` is not an int.
        ValueError: If both ``valid_lens`` and ``mask`` are given, ``scores`` is empty or
            holds NaN or +inf, ``valid_lens`` has the wrong shape or values outside
            [0, n], ``mask`` does not broadcast to ``scores``, or ``axis`` is out of range.

    Examples:
        >>> scores = np.zeros((2, 3))
        >>> masked_softmax(scores, valid_lens=[2, 0])
        array([[0.5, 0.5, 0. ],
               [0. , 0. , 0. ]])
        >>> masked_softmax(scores, mask=[[True, False, True], [True, True, True]])
        array([[0.5       , 0.        , 0.5       ],
               [0.33333333, 0.33333333, 0.33333333]])
        >>> masked_softmax(scores, valid_lens=[2, 4])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: valid_lens must lie between 0 and 3 ..., got values from 2 to 4
    """
    (work,), out_dtype = _prepare({"scores": scores}, allow_neg_inf=True)
    dim = _normalize_axis(axis, work, "scores", scores)
    return _restore(_masked_softmax(work, valid_lens, mask, dim), out_dtype)  # type: ignore[no-any-return]


# --- Pooling ------------------------------------------------------------------------------


def _prepare_qkv(
    queries: object, keys: object, values: object, *, features_must_match: bool
) -> tuple[Any, Any, Any, Any, tuple[int, ...]]:
    """Check and convert queries, keys and values; also return the weights' batch shape."""
    named = {"queries": queries, "keys": keys, "values": values}
    singular = {"queries": "query", "keys": "key", "values": "value"}
    layouts = {
        "queries": "(..., n_queries, d)",
        "keys": "(..., n_keys, d)",
        "values": "(..., n_keys, v)",
    }
    (q, k, v), out_dtype = _prepare(named)
    for (name, x), array in zip(named.items(), (q, k, v), strict=True):
        if array.ndim < 2:
            raise ValueError(
                f"{name} must have at least 2 dimensions {layouts[name]}, got "
                f"{_what(x, array)}; wrap a single {singular[name]} vector as [vector]"
            )
    if features_must_match and q.shape[-1] != k.shape[-1]:
        raise ValueError(
            "queries and keys must have the same number of features d (last dim): "
            f"queries has d={q.shape[-1]} ({_what(queries, q)}), keys has d={k.shape[-1]} "
            f"({_what(keys, k)})"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            "keys and values must pair up one to one (dim -2): keys has "
            f"{k.shape[-2]} ({_what(keys, k)}), values has {v.shape[-2]} ({_what(values, v)})"
        )
    batches = [tuple(a.shape[:-2]) for a in (q, k, v)]
    try:
        np.broadcast_shapes(*batches)
    except ValueError:
        raise ValueError(
            "the batch dimensions (all but the last two) of queries, keys and values must "
            f"broadcast together, got queries {batches[0]}, keys {batches[1]}, "
            f"values {batches[2]}"
        ) from None
    return q, k, v, out_dtype, np.broadcast_shapes(batches[0], batches[1])


@overload
def average_pooling(
    queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]: ...
@overload
def average_pooling(
    queries: ArrayLike, keys: ArrayLike, values: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def average_pooling(
    queries: ArrayLike | torch.Tensor,
    keys: ArrayLike | torch.Tensor,
    values: ArrayLike | torch.Tensor,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | tuple[torch.Tensor, torch.Tensor]:
    """Pool the values with equal weights, whatever the query: a plain average.

    This is attention pooling without the volitional cue: every query gets the same
    weights 1/n_keys, so every query gets the same output, the mean of the values. The
    arguments follow [`attention_pooling`][attnbook.attention_pooling], so that the two
    can be swapped.

    Taught in: "Queries, keys and values" (docs/02-queries-keys-values.md).

    Args:
        queries: Shape (..., n_queries, d). Only their number matters here.
        keys: Shape (..., n_keys, d). Only their number matters here.
        values: Shape (..., n_keys, v), one value per key.

    Returns:
        ``(output, weights)``: output of shape (..., n_queries, v) and weights of shape
        (..., n_queries, n_keys), all equal to 1/n_keys. All torch tensors if the inputs
        are tensors (differentiable with respect to ``values``), else float64 numpy arrays.

    Raises:
        TypeError: If an input is complex or not numbers, or tensors are mixed with
            arrays or lists.
        ValueError: If an input is empty, ragged, not finite or has fewer than 2
            dimensions, or the shapes disagree (d of queries and keys, n_keys of keys and
            values, batch dimensions).

    Examples:
        >>> queries = [[1.0, 0.0], [0.0, 1.0]]
        >>> keys = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
        >>> values = [[3.0], [6.0], [9.0]]
        >>> output, weights = average_pooling(queries, keys, values)
        >>> output
        array([[6.],
               [6.]])
        >>> weights
        array([[0.33333333, 0.33333333, 0.33333333],
               [0.33333333, 0.33333333, 0.33333333]])
    """
    q, k, v, out_dtype, batch = _prepare_qkv(queries, keys, values, features_must_match=True)
    shape = (*batch, q.shape[-2], k.shape[-2])
    if out_dtype is None:
        weights: Any = np.full(shape, 1.0 / k.shape[-2])
    else:
        torch = sys.modules["torch"]
        weights = torch.full(shape, 1.0 / k.shape[-2], dtype=v.dtype, device=v.device)
    return _restore(weights @ v, out_dtype), _restore(weights, out_dtype)


def _dot_score(queries: Any, keys: Any) -> Any:
    """q·k for every query-key pair: shape (..., n_queries, n_keys)."""
    return queries @ keys.swapaxes(-1, -2)


def _scaled_dot_score(queries: Any, keys: Any) -> Any:
    """q·k / sqrt(d): keeps the scores' spread independent of the number of features d."""
    return _dot_score(queries, keys) / math.sqrt(queries.shape[-1])


def _gaussian_score(queries: Any, keys: Any, bandwidth: float) -> Any:
    """-‖q - k‖² / (2·bandwidth²): the Gaussian kernel of Nadaraya–Watson regression."""
    differences = queries[..., :, None, :] - keys[..., None, :, :]
    return -(differences**2).sum(-1) / (2.0 * bandwidth**2)


_SCORES: dict[str, Callable[..., Any]] = {
    "dot": _dot_score,
    "scaled_dot": _scaled_dot_score,
    "gaussian": _gaussian_score,
}


def _check_bandwidth(bandwidth: object) -> float:
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, numbers.Real):
        raise TypeError(
            f"bandwidth must be a real number, got {describe(bandwidth)} {bandwidth!r:.40}"
        )
    width = float(bandwidth)
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"bandwidth must be a positive finite number, got {bandwidth!r}")
    return width


def _called_scores(score: ScoreFunction, q: Any, k: Any, shape: tuple[int, ...]) -> Any:
    """Call a user's score function and check that it returned usable scores."""
    result = score(q, k)
    name = "the scores returned by score(queries, keys)"
    if is_tensor(q):
        if not is_tensor(result):
            raise TypeError(
                f"score(queries, keys) must return a torch tensor when given tensors, got "
                f"{describe(result)}"
            )
        if result.is_complex():
            raise TypeError(f"{name} must be real, got a complex {describe(result)}")
        if result.device != q.device:
            raise ValueError(
                f"{name} must be on the device of the queries ({q.device}), got {result.device}"
            )
        scores = result.to(q.dtype)
    else:
        scores = to_numpy(result, name)
    try:
        fits = np.broadcast_shapes(tuple(scores.shape), shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"score(queries, keys) must return scores of shape (..., n_queries, n_keys) = "
            f"{shape}, got {_what(result, scores)}"
        )
    return scores.expand(shape) if is_tensor(scores) else np.broadcast_to(scores, shape)


@overload
def attention_pooling(
    queries: torch.Tensor,
    keys: torch.Tensor,
    values: torch.Tensor,
    score: str | ScoreFunction = "scaled_dot",
    *,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    mask: ArrayLike | torch.Tensor | None = None,
    bandwidth: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]: ...
@overload
def attention_pooling(
    queries: ArrayLike,
    keys: ArrayLike,
    values: ArrayLike,
    score: str | ScoreFunction = "scaled_dot",
    *,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    mask: ArrayLike | torch.Tensor | None = None,
    bandwidth: float = 1.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def attention_pooling(
    queries: ArrayLike | torch.Tensor,
    keys: ArrayLike | torch.Tensor,
    values: ArrayLike | torch.Tensor,
    score: str | ScoreFunction = "scaled_dot",
    *,
    valid_lens: ArrayLike | torch.Tensor | None = None,
    mask: ArrayLike | torch.Tensor | None = None,
    bandwidth: float = 1.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | tuple[torch.Tensor, torch.Tensor]:
    """Pool the values with weights computed between each query and every key.

    Each query (a volitional cue) is scored against each key (a nonvolitional cue); a
    softmax over the keys turns each query's scores into weights that sum to 1; the
    output for that query is the weighted average of the values. Unlike
    [`average_pooling`][attnbook.average_pooling], different queries select different values.

    Scores for a query ``q`` and a key ``k``:

    - ``"dot"``: q·k.
    - ``"scaled_dot"``: q·k / sqrt(d), as in
      ``torch.nn.functional.scaled_dot_product_attention``.
    - ``"gaussian"``: -‖q - k‖² / (2·bandwidth²), the kernel of Nadaraya–Watson
      regression: keys close to the query weigh most.
    - a callable ``score(queries, keys)`` returning scores that broadcast to
      (..., n_queries, n_keys); it gets the checked inputs (float64 numpy arrays, or
      tensors) and must return a tensor when given tensors.

    Taught in: "Queries, keys and values" (docs/02-queries-keys-values.md).

    Args:
        queries: Shape (..., n_queries, d).
        keys: Shape (..., n_keys, d); d must match the queries' for the named scores.
        values: Shape (..., n_keys, v), one value per key. The batch dimensions (...)
            of the three broadcast together.
        score: The name of a score (see above) or a score function.
        valid_lens: Only the first ``valid_lens`` keys take part: shape (..., n_queries)
            or (...), as in [`masked_softmax`][attnbook.masked_softmax].
        mask: Booleans broadcasting to (..., n_queries, n_keys); True = the key takes part.
        bandwidth: The width of the ``"gaussian"`` kernel, a positive number; other scores
            ignore it.

    Returns:
        ``(output, weights)``: output of shape (..., n_queries, v) and weights of shape
        (..., n_queries, n_keys) whose rows sum to 1. A query with no key left by
        ``valid_lens``/``mask`` gets weights of zero and an output of zeros. All torch
        tensors if the inputs are tensors (same device and floating dtype, differentiable;
        float16/bfloat16 are computed in float32), else float64 numpy arrays.

    Raises:
        TypeError: If an input is complex or not numbers, tensors are mixed with arrays or
            lists, ``score`` is neither a name nor callable, ``mask`` is not boolean, or
            ``bandwidth`` is not a real number.
        ValueError: If an input is empty, ragged, not finite or has fewer than 2
            dimensions, the shapes disagree, ``score`` is an unknown name, both
            ``valid_lens`` and ``mask`` are given or either has a bad shape or values,
            or ``bandwidth`` is not positive.

    Examples:
        Two objects described by (redness, readability); the query asks for something
        red, so the weight goes to the first key and the output leans to its value.

        >>> keys = [[1.0, 0.0], [0.0, 1.0]]
        >>> values = [[10.0], [20.0]]
        >>> output, weights = attention_pooling([[4.0, 0.0]], keys, values, "dot")
        >>> weights.round(3)
        array([[0.982, 0.018]])
        >>> output.round(2)
        array([[10.18]])
        >>> attention_pooling([[4.0, 0.0]], keys, values, "cosine")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown score 'cosine'; known scores are 'dot', 'scaled_dot', ...

        Tensors give tensors, and gradients flow back to the queries:

        >>> import torch
        >>> query = torch.tensor([[4.0, 0.0]], requires_grad=True)
        >>> keys, values = torch.tensor(keys), torch.tensor(values)
        >>> output, weights = attention_pooling(query, keys, values)
        >>> output.sum().backward()
        >>> query.grad.shape
        torch.Size([1, 2])
    """
    if isinstance(score, str):
        if score not in _SCORES:
            known = ", ".join(repr(name) for name in _SCORES)
            raise ValueError(
                f"unknown score {score!r}; known scores are {known}, or pass a function "
                "score(queries, keys) -> scores of shape (..., n_queries, n_keys)"
            )
    elif not callable(score):
        raise TypeError(
            f"score must be one of {', '.join(map(repr, _SCORES))} or a callable "
            f"score(queries, keys), got {describe(score)}"
        )
    width = _check_bandwidth(bandwidth)
    q, k, v, out_dtype, batch = _prepare_qkv(
        queries, keys, values, features_must_match=isinstance(score, str)
    )
    shape = (*batch, q.shape[-2], k.shape[-2])
    if isinstance(score, str):
        # Finite inputs can still overflow (huge dot products): report it, don't warn.
        compute = _SCORES[score]
        if score == "gaussian":
            compute = functools.partial(_gaussian_score, bandwidth=width)
        with np.errstate(over="ignore", invalid="ignore"):
            scores = compute(q, k)
        _check_values(scores, f"the attention scores (score={score!r})", scores)
    else:
        scores = _called_scores(score, q, k, shape)
        # A score function may use -inf to rule keys out, as masked_softmax allows.
        _check_values(
            scores, "the scores returned by score(queries, keys)", scores, allow_neg_inf=True
        )
    weights = _masked_softmax(scores, valid_lens, mask, len(shape) - 1, rows=("query", "queries"))
    return _restore(weights @ v, out_dtype), _restore(weights, out_dtype)
