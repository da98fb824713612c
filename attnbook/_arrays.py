"""Turning what a reader passes in (arrays, nested lists, tensors) into checked numpy arrays.

Every public function of attnbook validates its inputs here, so that bad input fails
with a message that names the argument, what it got and what was expected, instead of
failing deep inside numpy, matplotlib or torch. torch is never imported by this module:
a tensor is recognised only if the caller has already imported torch.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["check_finite", "describe", "is_tensor", "to_numpy"]


def is_tensor(x: object) -> bool:
    """Tell whether ``x`` is a ``torch.Tensor``, without importing torch.

    Examples:
        >>> is_tensor([1.0, 2.0])
        False
    """
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def describe(x: object) -> str:
    """Describe a value in a few words for an error message: its kind, shape and dtype.

    Examples:
        >>> describe(np.zeros((2, 3), dtype=np.float32))
        'array of shape (2, 3) and dtype float32'
        >>> describe("weights")
        'str'
    """
    if is_tensor(x):
        return f"tensor of shape {tuple(x.shape)} and dtype {x.dtype}"  # type: ignore[attr-defined]
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return type(x).__name__


def _tensor_to_numpy(x: Any, name: str) -> NDArray[Any]:
    torch = sys.modules["torch"]
    if x.is_complex():
        raise TypeError(f"{name} must be real, got a complex {describe(x)}")
    x = x.detach().cpu()
    # numpy has no bfloat16 and float16 loses little by widening: compute in float64.
    if x.is_floating_point():
        x = x.to(torch.float64)
    return np.asarray(x.numpy())


def _nested_shape(x: object, name: str) -> None:
    """Raise a clear error for a ragged nested list before numpy makes an object array."""

    def shape_of(item: object, path: str) -> tuple[int, ...]:
        if isinstance(item, (list, tuple)):
            shapes = [shape_of(child, f"{path}[{i}]") for i, child in enumerate(item)]
            for i, shape in enumerate(shapes[1:], start=1):
                if shape != shapes[0]:
                    raise ValueError(
                        f"{name} must be a rectangular nested list, but {path}[0] has "
                        f"shape {shapes[0]} and {path}[{i}] has shape {shape}"
                    )
            return (len(item), *(shapes[0] if shapes else ()))
        return ()

    shape_of(x, name)


def _holds_arrays(x: list[Any] | tuple[Any, ...]) -> bool:
    """Tell whether a nested list holds arrays or tensors, not only numbers."""
    return any(
        is_tensor(item)
        or isinstance(item, np.ndarray)
        or (isinstance(item, (list, tuple)) and _holds_arrays(item))
        for item in x
    )


def _stack(items: list[Any] | tuple[Any, ...], name: str) -> NDArray[np.float64]:
    """Convert each item of a sequence on its own, then stack them (all the same shape).

    This is how a tuple of per-layer tensors (a model's ``attentions``) becomes one array:
    every tensor is detached, moved to the CPU and widened by ``to_numpy`` first, since
    numpy cannot read a tensor that requires grad or holds bfloat16.
    """
    parts = [to_numpy(item, f"{name}[{i}]") for i, item in enumerate(items)]
    for i, part in enumerate(parts[1:], start=1):
        if part.shape != parts[0].shape:
            raise ValueError(
                f"{name} must hold arrays of one shape, but {name}[0] has "
                f"shape {parts[0].shape} and {name}[{i}] has shape {part.shape}"
            )
    return np.stack(parts)


def to_numpy(x: object, name: str) -> NDArray[np.float64]:
    """Convert ``x`` to a float64 numpy array, rejecting what is not real numbers.

    Accepts numpy arrays, nested lists or tuples of numbers, scalars, torch tensors of any
    real dtype (float16 and bfloat16 included), with or without ``requires_grad``, on any
    device, and lists or tuples of such arrays and tensors, stacked along a new first axis
    (a model's tuple of per-layer attention weights). Booleans and integers become 0/1 and
    whole floats.

    Args:
        x: The values to convert.
        name: The argument's name, used in error messages.

    Returns:
        A new or viewed float64 array of the same shape.

    Raises:
        TypeError: If ``x`` is complex, or holds strings or other non-numbers.
        ValueError: If ``x`` is a ragged nested list.

    Examples:
        >>> to_numpy([[1, 0], [0, 1]], "weights")
        array([[1., 0.],
               [0., 1.]])
        >>> to_numpy([[1, 0], [0]], "weights")
        Traceback (most recent call last):
        ...
        ValueError: weights must be a rectangular nested list, but weights[0] has shape (2,) and ...
        >>> to_numpy((np.zeros((2, 3)), np.ones((2, 3))), "attentions").shape
        (2, 2, 3)
    """
    if is_tensor(x):
        array = _tensor_to_numpy(x, name)
    elif isinstance(x, (list, tuple)) and _holds_arrays(x):
        array = _stack(x, name)
    else:
        if isinstance(x, (str, bytes)):
            raise TypeError(f"{name} must be numbers, got {type(x).__name__} {x!r:.40}")
        if isinstance(x, (list, tuple)):
            _nested_shape(x, name)
        try:
            array = np.asarray(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be numbers, got {describe(x)}: {error}") from None
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real, got complex values ({describe(array)})")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be real numbers, got {describe(x)} with dtype {array.dtype}")
    return array.astype(np.float64, copy=False)


def check_finite(array: NDArray[np.floating[Any]], name: str) -> None:
    """Raise ``ValueError`` if ``array`` holds NaN or infinite values, saying how many.

    Examples:
        >>> check_finite(np.array([1.0, np.nan]), "weights")
        Traceback (most recent call last):
        ...
        ValueError: weights must be finite, got 1 NaN and 0 infinite value(s) in an array ...
    """
    if not np.all(np.isfinite(array)):
        nan = int(np.isnan(array).sum())
        inf = int(np.isinf(array).sum())
        raise ValueError(
            f"{name} must be finite, got {nan} NaN and {inf} infinite value(s) "
            f"in an array of shape {array.shape}"
        )
