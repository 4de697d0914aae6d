"""SocialCalc's spreadsheet functions, one module per family.

:data:`FUNCTIONS` names every function a formula may call (with its argument count) and
:data:`SIDE_EFFECT_FUNCTIONS` the EtherCalc widgets among them (``catalog``). The families
register their implementations in :data:`IMPLEMENTATIONS` (``registry``) when imported here:
``math``, ``statistics`` (the SUM family and the conditional sums), ``text``, ``logic``,
``dates``, ``lookup``, ``financial`` and ``database``; the SUM family, the D-functions and the
conditional sums share one aggregation (``aggregate``), and the conditional ones one criteria
test (``criteria``).

:data:`IMPLEMENTED` is every function docmesh evaluates: all 117 SocialCalc functions that
compute a value. The 23 widget/side-effect functions (BUTTON, EMAIL, …) evaluate to an ``e``
value saying that docmesh does not evaluate them; the validator flags them. Not bit-identical
with V8 yet: the trigonometric functions (SIN, COS, TAN, ATAN, ASIN, ACOS, ATAN2 use the C
library, which differs from V8 in the last bit for a few percent of arguments) and
``Math.pow`` (the fdlibm port differs from V8 in the last bit for about 3 % of arguments).
"""

from __future__ import annotations

from docmesh_document.msc.functions import (  # noqa: F401  (imported to register their functions)
    database,
    dates,
    financial,
    logic,
    lookup,
    math,
    statistics,
    text,
)
from docmesh_document.msc.functions.catalog import FUNCTIONS, SIDE_EFFECT_FUNCTIONS
from docmesh_document.msc.functions.registry import IMPLEMENTATIONS

__all__ = ["FUNCTIONS", "IMPLEMENTATIONS", "IMPLEMENTED", "SIDE_EFFECT_FUNCTIONS"]

#: Functions docmesh evaluates (the rest of FUNCTIONS are known but not implemented).
IMPLEMENTED = frozenset(IMPLEMENTATIONS)
