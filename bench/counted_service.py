"""A service of the mesh run with its invoice's proto<->model conversions counted, for the
before/after benchmark (agent_sides.py): `bench_agent.py --counted MODULE` runs MODULE's main this way.

(Not named bench_*.py: `make bench` runs those.)
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any


def serve_counted(module: str) -> None:
    """`bench_agent.py --counted MODULE`: a service's main with its conversions counted.

    The counters wrap the model's conversions before the service imports them (so its
    `from ... import to_proto` binds the counted one), and a thread writes them to the file
    $DOCMESH_BENCH_COUNTS every 0.1 s. json_format counts proto <-> dict/JSON conversions.
    """
    import importlib
    import runpy

    from google.protobuf import json_format

    def first_module(*names: str) -> Any:
        # Before the model package (a "before" commit) the same conversions lived in the old
        # modules; those are tried first, since this checkout's editable install could also
        # resolve the new names for a "before" tree.
        for name in names:
            try:
                return importlib.import_module(name)
            except ModuleNotFoundError:
                continue
        raise ModuleNotFoundError(names[0])

    invoice = first_module("docmesh_common.invoice", "docmesh_common.model.invoice")
    totals = first_module("docmesh_document.totals", "docmesh_common.model.totals")

    counts: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    invoice.to_proto = counted("invoice to_proto", invoice.to_proto)  # type: ignore[assignment]
    invoice.from_proto = counted("invoice from_proto", invoice.from_proto)  # type: ignore[assignment]
    totals.InvoiceTotals.to_proto = counted("totals to_proto", totals.InvoiceTotals.to_proto)  # type: ignore[method-assign]
    for name in ("MessageToDict", "ParseDict", "MessageToJson", "Parse"):
        setattr(json_format, name, counted("json_format", getattr(json_format, name)))
    path = Path(os.environ["DOCMESH_BENCH_COUNTS"])

    def flush() -> None:
        while True:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(dict(counts)))
            os.replace(temporary, path)
            time.sleep(0.1)

    threading.Thread(target=flush, daemon=True).start()
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
