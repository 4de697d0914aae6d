"""Benchmark: parse + recalculate a 10,000-cell sheet with 5,000 formulas, next to SocialCalc.

Prints docmesh's p50 (cold: formula cache cleared before each run, as for a fresh document;
warm: formulas already compiled) and the oracle's own ``timing_ms`` (parse, recalc) for the
same file in the real SocialCalc engine. Target: docmesh faster than the engine.

    .venv/bin/python bench/bench_msc.py [--runs N] [--no-oracle]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from docmesh_document.msc.formula import compile_formula
from docmesh_document.msc.parser import parse
from docmesh_document.msc.recalc import recalculate

ORACLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "tools" / "msc-oracle" / "oracle"
ROWS = 1000  # 10 columns x 1000 rows = 10,000 cells, half of them formulas


def build_sheet(rows: int = ROWS) -> str:
    """Five value columns (A-E) and five formula columns (F-J) with a mix of business formulas."""
    lines = ["version:1.5"]
    for r in range(1, rows + 1):
        lines.append(f"cell:A{r}:v:{r % 97 + 0.25}")
        lines.append(f"cell:B{r}:v:{(r * 7) % 13}")
        lines.append(f"cell:C{r}:vtc:n%:0.08:8%")
        lines.append(f"cell:D{r}:t:Item {r}")
        lines.append(f"cell:E{r}:v:{r}")
        prev = f"F{r - 1}" if r > 1 else "0"
        lines.append(f"cell:F{r}:vtf:n:0:ROUND(A{r}*B{r},2)")
        lines.append(f"cell:G{r}:vtf:n:0:ROUND(F{r}*C{r},2)")
        lines.append(f"cell:H{r}:vtf:n:0:F{r}+G{r}+{prev}*0")
        lines.append(f'cell:I{r}:vtf:t:x:IF(H{r}>100,"big",UPPER(D{r}))')
        lo = max(1, r - 9)
        lines.append(f"cell:J{r}:vtf:n:0:SUM(H{lo}\\cH{r})-MAX(E{lo}\\cE{r})")
    lines.append(f"sheet:c:10:r:{rows}")
    return "\n".join(lines) + "\n"


def time_docmesh(text: str, runs: int, cold: bool) -> list[float]:
    times = []
    for _ in range(runs):
        if cold:
            compile_formula.cache_clear()
        t0 = time.perf_counter()
        doc = parse(text)
        recalculate(doc.sheet)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def time_oracle(text: str, runs: int) -> list[dict[str, float]] | None:
    if shutil.which("node") is None or not ORACLE.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".msc", delete=False, encoding="utf-8") as f:
        f.write(text)
        path = f.name
    out = []
    for _ in range(runs):
        proc = subprocess.run(
            [str(ORACLE), path, "--no-sheetjs", "--compact"], capture_output=True, text=True, check=False
        )
        out.append(json.loads(proc.stdout)["timing_ms"])
    Path(path).unlink()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-oracle", action="store_true")
    args = ap.parse_args()
    text = build_sheet()
    doc = parse(text)
    cells = len(doc.sheet.cells)
    formulas = sum(1 for c in doc.sheet.cells.values() if c.formula)
    print(f"sheet: {cells} cells, {formulas} formulas, {len(text) / 1024:.0f} KiB")
    cold = time_docmesh(text, args.runs, cold=True)
    warm = time_docmesh(text, args.runs, cold=False)
    print(f"docmesh parse+recalc  p50 cold {statistics.median(cold):8.1f} ms   (min {min(cold):.1f})")
    print(f"docmesh parse+recalc  p50 warm {statistics.median(warm):8.1f} ms   (min {min(warm):.1f})")
    t0 = time.perf_counter()
    parse(text)
    print(f"docmesh parse only              {(time.perf_counter() - t0) * 1000:8.1f} ms")
    if args.no_oracle:
        return
    timings = time_oracle(text, max(3, args.runs // 2))
    if timings is None:
        print("oracle: node or the oracle script not found; skipped")
        return
    parse_recalc = [t["parse"] + t["recalc"] for t in timings]
    print(
        f"SocialCalc parse+recalc p50    {statistics.median(parse_recalc):8.1f} ms   "
        f"(parse {statistics.median(t['parse'] for t in timings):.0f}, "
        f"recalc {statistics.median(t['recalc'] for t in timings):.0f}, "
        f"process total {statistics.median(t['total'] for t in timings):.0f})"
    )
    ratio = statistics.median(parse_recalc) / statistics.median(cold)
    print(f"docmesh (cold) is {ratio:.2f}x the speed of the SocialCalc engine")


if __name__ == "__main__":
    main()
