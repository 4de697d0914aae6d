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

from docmesh_document.msc import clear_caches, parse, recalculate

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


def time_docmesh(text: str, cold: bool) -> float:
    if cold:
        # Every cache keyed by formula text, so a cold run compiles and analyses from scratch.
        clear_caches()
    t0 = time.perf_counter()
    doc = parse(text)
    recalculate(doc.sheet)
    return (time.perf_counter() - t0) * 1000


def time_oracle(path: str) -> dict[str, float]:
    proc = subprocess.run(
        [str(ORACLE), path, "--no-sheetjs", "--compact"], capture_output=True, text=True, check=False
    )
    return json.loads(proc.stdout)["timing_ms"]


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
    use_oracle = not args.no_oracle and shutil.which("node") is not None and ORACLE.exists()
    path = ""
    if use_oracle:
        with tempfile.NamedTemporaryFile("w", suffix=".msc", delete=False, encoding="utf-8") as f:
            f.write(text)
            path = f.name
        time_oracle(path)  # first run may install the engines
    cold: list[float] = []
    warm: list[float] = []
    engine: list[dict[str, float]] = []
    # Interleaved, so that both sides see the same machine load.
    for _ in range(args.runs):
        cold.append(time_docmesh(text, cold=True))
        warm.append(time_docmesh(text, cold=False))
        if use_oracle:
            engine.append(time_oracle(path))
    t0 = time.perf_counter()
    parse(text)
    parse_ms = (time.perf_counter() - t0) * 1000
    print(f"docmesh parse+recalc   p50 cold {statistics.median(cold):8.1f} ms   (min {min(cold):.1f})")
    print(f"docmesh parse+recalc   p50 warm {statistics.median(warm):8.1f} ms   (min {min(warm):.1f})")
    print(f"docmesh parse only              {parse_ms:8.1f} ms")
    if not use_oracle:
        print("oracle: skipped (node or the oracle script not found, or --no-oracle)")
        return
    Path(path).unlink()
    engine_ms = [t["parse"] + t["recalc"] for t in engine]
    print(
        f"SocialCalc parse+recalc p50     {statistics.median(engine_ms):8.1f} ms   (min {min(engine_ms):.1f}; "
        f"parse {statistics.median(t['parse'] for t in engine):.0f}, "
        f"recalc {statistics.median(t['recalc'] for t in engine):.0f}, "
        f"node process total {statistics.median(t['total'] for t in engine):.0f})"
    )
    ratio = statistics.median(engine_ms) / statistics.median(cold)
    best = min(engine_ms) / min(cold)
    print(f"docmesh (cold) speed relative to SocialCalc: p50 {ratio:.2f}x, best-of-{args.runs} {best:.2f}x")
    print("(> 1 means docmesh is faster; on a busy machine compare the best-of figures)")


if __name__ == "__main__":
    main()
