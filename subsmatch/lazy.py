"""Modules imported when first used, for the few that a start-up often does without.

RDKit (``rdkit.Chem``) and numpy take a quarter of a second to import, and a check of a name
the reference knows needs neither: its structure keys, rule matches and analogue assessment are
stored (:mod:`subsmatch.startup`). A module that may need them writes::

    if TYPE_CHECKING:
        from rdkit import Chem
    else:
        Chem = lazy("rdkit.Chem")  # imported when first used (see subsmatch.lazy)

and uses ``Chem`` as before; the import happens at the first attribute read. This is the one
place of the library, besides the command line's registry, where modules are imported on
demand; nothing that runs at a module's import may read such a module's attributes.

>>> json = lazy("json")
>>> json.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A stand-in for the module ``name``, imported at the first attribute read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._module(), attribute)
        setattr(self, attribute, value)  # later reads find it here, without __getattr__
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy(name: str) -> Any:
    """A module imported when one of its attributes is first read (typed as Any: declare the
    real module under ``TYPE_CHECKING``)."""
    return LazyModule(name)
