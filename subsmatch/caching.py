"""Bounded caches: what a long-running process (the service) remembers stays bounded.

A cache that reaches its size starts afresh: an entry dropped is only computed again, and
reports repeat the same substances, so the few recomputations cost less than the bookkeeping
of a least-recently-used order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict that empties itself before an entry beyond ``size`` is stored.

    >>> cache = BoundedCache(size=2)
    >>> cache["a"], cache["b"] = 1, 2
    >>> cache["c"] = 3
    >>> dict(cache)
    {'c': 3}
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        if len(self) >= self.size and key not in self:
            self.clear()
        super().__setitem__(key, value)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value of ``key``, made by ``make()`` and stored when missing.

        >>> cache = BoundedCache(size=4)
        >>> cache.get_or_make("a", lambda: 1), cache.get_or_make("a", lambda: 2)
        (1, 1)
        """
        value = self.get(key)
        if value is None:
            value = self[key] = make()
        return value


class Memo(BoundedCache[K, V]):
    """A bounded memo of a function: ``memo[key]`` is ``function(key)``, computed once.

    The function must be pure (or its side effects idempotent).

    >>> calls = []
    >>> square = Memo(lambda x: calls.append(x) or x * x, size=2)
    >>> square[3], square[3], square[4], square[5], calls
    (9, 9, 16, 25, [3, 4, 5])
    >>> len(square)
    1
    """

    def __init__(self, function: Callable[[K], V], size: int) -> None:
        super().__init__(size)
        self.function = function

    def __missing__(self, key: K) -> V:
        value = self[key] = self.function(key)
        return value
