"""Recalculation of a sheet in dependency order, with circular-reference detection.

SocialCalc recalculates every formula cell after a load, in an order found by walking each
formula's references depth first. docmesh builds the same dependency graph (single references,
every cell of a range, named ranges and names defined by formulas) and orders it with Kahn's
algorithm, which is iterative: a 10,000-cell chain does not touch Python's recursion limit.

Cells left over by Kahn's algorithm are on a cycle or downstream of one. The strongly
connected components among them (iterative Tarjan) name the cycles. The engine computes a loop
once with "meaningless values" and only records ``sheet.circularreferencecell``; docmesh does
the same so that documents keep the engine's behaviour, and reports the cycles to the caller.

Formulas that are plain arithmetic on numbers run as compiled Python functions
(:mod:`docmesh_document.msc.fastpath`), which give the engine's result or step aside for it.

After evaluation the cached values are rewritten: ``valuetype``/``value`` hold the result and
``error`` holds the error text exactly when the result is an error.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from docmesh_document.msc import compiler, fastpath
from docmesh_document.msc.compiler import compile_formula, references
from docmesh_document.msc.coords import COORD_RE, parse_coord
from docmesh_document.msc.evaluator import EvalContext, evaluate
from docmesh_document.msc.fastpath import fast_formula
from docmesh_document.msc.jsnum import format_number
from docmesh_document.msc.model import Cell, CellKind, Name, Sheet

__all__ = [
    "RecalcResult",
    "clear_caches",
    "dependency_graph",
    "find_cycles",
    "recalculate",
    "recalculate_copy",
]


@dataclass
class RecalcResult:
    """What a recalculation found."""

    order: list[str] = field(default_factory=list)  # formula cells in evaluation order
    cycles: list[list[str]] = field(default_factory=list)  # each a list of cells on one loop
    changed: list[str] = field(default_factory=list)  # cells whose cached type or value changed
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)  # coord -> (type, message)

    @property
    def circular_cells(self) -> list[str]:
        return sorted({c for cyc in self.cycles for c in cyc}, key=_sort_key)


@lru_cache(maxsize=65536)
def _sort_key(coord: str) -> tuple[int, int, str]:
    if COORD_RE.match(coord):
        c, r = parse_coord(coord)
        return (r, c, "")
    return (1 << 30, 0, coord)


class _FormulaIndex:
    """Formula cells by column, rows sorted, so a range finds the formulas inside it quickly."""

    def __init__(self, coords: list[str]) -> None:
        by_col: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for coord in coords:
            if COORD_RE.match(coord):
                c, r = parse_coord(coord)
                by_col[c].append((r, coord))
        self.rows: dict[int, list[int]] = {}
        self.coords: dict[int, list[str]] = {}
        for c, items in by_col.items():
            items.sort()
            self.rows[c] = [r for r, _ in items]
            self.coords[c] = [x for _, x in items]
        self.cols = sorted(self.rows)

    def in_range(self, c1: int, r1: int, c2: int, r2: int) -> list[str]:
        out: list[str] = []
        lo = bisect_left(self.cols, c1)
        hi = bisect_right(self.cols, c2)
        for c in self.cols[lo:hi]:
            rows = self.rows[c]
            a, b = bisect_left(rows, r1), bisect_right(rows, r2)
            out.extend(self.coords[c][a:b])
        return out


def _cr(coord: str) -> tuple[int, int] | None:
    if COORD_RE.match(coord):
        return parse_coord(coord)
    return None


def _name_refs(
    names: dict[str, Name], name: str, seen: set[str]
) -> tuple[list[str], list[tuple[int, int, int, int]]]:
    """Cells and ranges a name stands for (following names defined by formulas, iteratively)."""
    coords: list[str] = []
    ranges: list[tuple[int, int, int, int]] = []
    todo = [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        entry = names.get(n)
        if entry is None:
            continue
        d = entry.definition
        if d.startswith("="):
            cs, rs, ns = references(compile_formula(d[1:]))
            coords.extend(cs)
            for a, b in rs:
                ranges.append(_box(a, b))
            todo.extend(ns)
        elif ":" in d:
            a, _, b = d.upper().partition(":")
            ranges.append(_box(a.replace("$", ""), b.replace("$", "")))
        else:
            coords.append(d.upper().replace("$", ""))
    return coords, ranges


def _box(a: str, b: str) -> tuple[int, int, int, int]:
    ca, cb = _cr(a) or (0, 0), _cr(b) or (0, 0)
    return min(ca[0], cb[0]), min(ca[1], cb[1]), max(ca[0], cb[0]), max(ca[1], cb[1])


@lru_cache(maxsize=65536)
def _formula_references(
    formula: str,
) -> tuple[tuple[str, ...], tuple[tuple[int, int, int, int], ...], tuple[str, ...]]:
    """:func:`references` of a formula text, ranges as boxes; cached by text like the compiled
    formula (an invoice repeats the same formulas, and every recalculation needs them)."""
    coords, ranges, names = references(compile_formula(formula))
    return tuple(coords), tuple(_box(a, b) for a, b in ranges), tuple(names)


def dependency_graph(sheet: Sheet) -> dict[str, set[str]]:
    """For each formula cell, the formula cells it depends on (other cells never change)."""
    return _graph(_formula_cells(sheet), sheet.names)


_FORMULA = CellKind.FORMULA  # bound once: an enum member lookup costs ~70 ns, per cell here


def _formula_cells(sheet: Sheet) -> tuple[tuple[str, str], ...]:
    """(coordinate, formula text) of every formula cell, in the sheet's order."""
    return tuple([(coord, c.formula) for coord, c in sheet.cells.items() if c.kind is _FORMULA])


def _graph(formula_cells: tuple[tuple[str, str], ...], names: dict[str, Name]) -> dict[str, set[str]]:
    formulas = [coord for coord, _ in formula_cells]
    fset = set(formulas)
    index = _FormulaIndex(formulas)
    graph: dict[str, set[str]] = {}
    for coord, formula in formula_cells:
        coords, ranges, name_refs = _formula_references(formula)
        deps: set[str] = set()
        boxes = list(ranges)
        for name in name_refs:
            ncoords, nboxes = _name_refs(names, name, set())
            coords = (*coords, *ncoords)
            boxes.extend(nboxes)
        for ref in coords:
            if ref in fset:
                deps.add(ref)
        for c1, r1, c2, r2 in boxes:
            deps.update(index.in_range(c1, r1, c2, r2))
        graph[coord] = deps
    return graph


def find_cycles(graph: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    """Strongly connected components with a loop among ``nodes`` (iterative Tarjan)."""
    node_set = set(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    cycles: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Any]] = [(root, None)]
        while work:
            v, it = work[-1]
            if it is None:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
                it = iter(sorted(w for w in graph.get(v, ()) if w in node_set))
                work[-1] = (v, it)
            advanced = False
            for w in it:
                if w not in index:
                    work.append((w, None))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in graph.get(v, ()):
                    cycles.append(sorted(comp, key=_sort_key))
    cycles.sort(key=lambda c: _sort_key(c[0]))
    return cycles


def clear_caches() -> None:
    """Forget everything cached by formula text, so the next recalculation compiles and plans
    from scratch as in a fresh process (a cold-start measurement starts here)."""
    compiler.clear_caches()
    fastpath.clear_caches()
    _plan.cache_clear()  # evaluation order per set of formula texts
    _formula_references.cache_clear()


def recalculate(sheet: Sheet) -> RecalcResult:
    """Recalculate every formula cell of ``sheet`` in place; return order, cycles and changes."""
    return _recalculate(sheet)


def recalculate_copy(sheet: Sheet) -> tuple[Sheet, RecalcResult]:
    """Recalculate a copy of ``sheet``, leaving ``sheet`` as it is; return the copy and the result.

    The copy shares every cell except the formula cells, which recalculation writes
    (``valuetype``, ``value``, ``error``), and its own ``attribs`` (``circularreferencecell``).
    (``copy.deepcopy`` of a 500-cell sheet cost ~8 ms; this costs a few hundredths of that.)
    """
    work = copy.copy(sheet)
    work.attribs = copy.copy(sheet.attribs)
    cells: dict[str, Cell] = {}
    formula_cells: list[tuple[str, str]] = []  # _formula_cells(work), gathered in the same pass
    for coord, cell in sheet.cells.items():
        if cell.kind is _FORMULA:
            cell = cell.copy()
            formula_cells.append((coord, cell.formula))
        cells[coord] = cell
    work.cells = cells
    return work, _recalculate(work, tuple(formula_cells))


@dataclass(frozen=True)
class _Plan:
    """The evaluation order of a sheet's formulas, its cycles and its circularreferencecell."""

    order: tuple[str, ...]
    cycles: tuple[tuple[str, ...], ...]
    circular: str


@lru_cache(maxsize=256)
def _plan(formula_cells: tuple[tuple[str, str], ...], name_definitions: tuple[tuple[str, str], ...]) -> _Plan:
    """The plan for a set of formula cells and names (their definitions are all the graph reads).

    It depends on the formulas (coordinates and texts, in sheet order) and the names alone, never
    on the values, so it is cached like the other results keyed by formula text: every invoice
    with the same number of lines, taxes and discounts has the same formulas. A measurement of
    a cold start must clear it too (``_plan.cache_clear()``), as it clears the formula caches.
    """
    names = {key: Name(key, definition=definition) for key, definition in name_definitions}
    graph = _graph(formula_cells, names)
    dependents: dict[str, list[str]] = defaultdict(list)
    indegree: dict[str, int] = {}
    for coord, deps in graph.items():
        indegree[coord] = len(deps)
        for d in deps:
            dependents[d].append(coord)
    ready = deque(sorted((c for c, n in indegree.items() if n == 0), key=_sort_key))
    order: list[str] = []
    while ready:
        c = ready.popleft()
        order.append(c)
        for dep in dependents.get(c, ()):
            indegree[dep] -= 1
            if indegree[dep] == 0:
                ready.append(dep)
    cycles: list[list[str]] = []
    leftover = sorted((c for c, n in indegree.items() if n > 0), key=_sort_key)
    if leftover:
        cycles = find_cycles(graph, leftover)
        order.extend(leftover)
    circular = ""
    if cycles:
        # Same shape as the engine's "<cell>|<referrer>".
        first = cycles[0]
        referrer = next((c for c in first if first[0] in graph.get(c, ())), first[0])
        circular = f"{first[0]}|{referrer}"
    return _Plan(tuple(order), tuple(tuple(c) for c in cycles), circular)


def _recalculate(sheet: Sheet, formula_cells: tuple[tuple[str, str], ...] | None = None) -> RecalcResult:
    names = tuple([(key, n.definition) for key, n in sheet.names.items()])
    plan = _plan(_formula_cells(sheet) if formula_cells is None else formula_cells, names)
    sheet.attribs.circularreferencecell = plan.circular
    order = list(plan.order)
    result = RecalcResult(order=order, cycles=[list(c) for c in plan.cycles])
    ctx = EvalContext(sheet.cells, sheet.names, sheet.attribs.lastrow)
    cells = sheet.cells
    get = cells.get
    before: list[tuple[str, Any]] = []  # (valuetype, value) of each cell of ``order``
    for coord in order:
        cell = cells[coord]
        before.append((cell.valuetype, cell.value))
        # Plain-number formulas run as compiled Python (see msc.fastpath); the compiled
        # function answers None whenever the engine might differ, and the engine decides.
        fast = fast_formula(cell.formula)
        number = fast[0](get, *fast[1]) if fast is not None else None
        if number is not None:
            cell.valuetype = "n"
            cell.value = number
            cell.error = ""
            continue
        value, vtype, err = evaluate(compile_formula(cell.formula), ctx)
        cell.valuetype = vtype
        cell.value = value
        cell.error = err if vtype.startswith("e") else ""
    errors, changed = result.errors, result.changed
    for coord, old in zip(order, before, strict=True):
        cell = cells[coord]
        vtype = cell.valuetype
        value = cell.value
        if type(value) is float and vtype == "n":
            pass  # the common case: a plain number stays as it is
        # The save format reads an error's value as text; keep it that way so a recalculated
        # sheet round-trips through serialize/parse unchanged.
        elif not vtype.startswith("n"):
            value = cell.value = format_number(value) if isinstance(value, float) else str(value)
        elif not isinstance(value, float):
            value = cell.value = float(value) if isinstance(value, int) else 0.0
        if vtype.startswith("e"):
            errors[coord] = (vtype, cell.error)
        if old != (vtype, value):
            changed.append(coord)
    return result
