"""Deprecated keyword names (one release), one rule for every public function.

The glossary (``docs/glossary.md``) fixes one name per concept. A function whose keyword was
renamed keeps accepting the old name for one release with a :class:`DeprecationWarning`::

    @renamed_kwargs(bootstrap="n_boot", permutations="n_perm")
    def fightin_words(corpus, *, n_boot=0, n_perm=1000): ...

Passing both the old and the new name is an error, and so is any keyword the function does
not know (Python's own rule: no function in the public API takes ``**kwargs`` it ignores).
:func:`inspect.signature` of the decorated function shows the new names only.
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["renamed_kwargs", "deprecated_value"]


def renamed_kwargs(**renames: str) -> Callable[[F], F]:
    """Decorator: accept ``old=`` for ``new=`` with a DeprecationWarning (``old="new"``)."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__qualname__}() got both {old!r} (deprecated) and {new!r}; "
                                        f"pass {new!r} only")
                    warnings.warn(f"{func.__qualname__}({old}=...) is deprecated and will be removed in the next "
                                  f"release; use {new}= (see docs/glossary.md)", DeprecationWarning, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        inner.__deprecated_kwargs__ = dict(renames)  # type: ignore[attr-defined]
        return inner  # type: ignore[return-value]

    return wrap


def deprecated_value(func_name: str, what: str, instead: str) -> None:
    """Warn once per call that a value form of an argument is deprecated."""
    warnings.warn(f"{func_name}: {what} is deprecated and will be removed in the next release; {instead} "
                  "(see docs/glossary.md)", DeprecationWarning, stacklevel=3)
