"""Built-in interpreter benchmark (printed figures): the time of one `interpret` call per turn.

Turns: every message of the visible phrasings (tests/agent/phrasings/seen/, former_heldout/,
seen_v2/, seen_v3/, seen_v4/, each with its earlier messages as history and the previous turn's document or the
case's base as the current one) and of the corpus (tests/agent/corpus/requests.yaml and edits.yaml). The held-out
phrasings (heldout_v4/) are not read. Each turn is timed `--repeat` times; p50 and p99 are over all timings.

Usage: .venv/bin/python bench/bench_builtin.py [--repeat 5]

Before/after a change, interleave the two versions in one run of the shell (absolute times on a
shared machine mean little; compare the ratio), with the old interpreter exported to OLD
(`git archive <commit> services | tar -x -C OLD`): repeat three times
    PYTHONPATH=OLD/services/agent .venv/bin/python bench/bench_builtin.py --repeat 3
    .venv/bin/python bench/bench_builtin.py --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docmesh_agent.builtin import interpret  # noqa: E402
from docmesh_common.model.invoice import Invoice  # noqa: E402
from tests.agent.phrasings.cases import VISIBLE_SETS, build_invoice, load_cases  # noqa: E402
from tests.agent.test_builtin_corpus import expected_invoice  # noqa: E402


@dataclass(frozen=True)
class Turn:
    message: str
    current: Invoice | None
    today: dt.date
    history: tuple[str, ...]


def phrasing_turns() -> list[Turn]:
    """Every message of the visible phrasings, with the document the turn before it left."""
    turns: list[Turn] = []
    for case in [c for set_name in VISIBLE_SETS for c in load_cases(set_name)]:
        current = build_invoice(case.base, case.today, case.lang) if case.base is not None else None
        for index, message in enumerate(case.messages):
            turns.append(Turn(message, current, case.today, case.messages[:index]))
            result = interpret(message, current, today=case.today, history=list(case.messages[:index]))
            current = result.invoice or current
    return turns


def corpus_turns() -> list[Turn]:
    """Every request and edit of the corpus."""
    corpus = ROOT / "tests" / "agent" / "corpus"
    requests = yaml.safe_load((corpus / "requests.yaml").read_text(encoding="utf-8"))
    edits = yaml.safe_load((corpus / "edits.yaml").read_text(encoding="utf-8"))
    r_today = dt.date.fromisoformat(str(requests["today"]))
    e_today = dt.date.fromisoformat(str(edits["today"]))
    turns = [Turn(c["message"], None, r_today, tuple(c.get("history", []))) for c in requests["cases"]]
    bases = {name: expected_invoice(spec, e_today) for name, spec in edits["bases"].items()}
    turns += [
        Turn(c["message"], bases[c["base"]], e_today, tuple(c.get("history", []))) for c in edits["cases"]
    ]
    return turns


# The mesh benchmarks' chat edit (bench_agent, bench_gateway): an edit after the request that made the document.
ACME = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax, due in 30 days"


def mesh_edit_turns() -> list[Turn]:
    """The edit the mesh benchmarks send, with the request before it as history."""
    today = dt.date(2026, 3, 2)
    current = interpret(ACME, None, today=today).invoice
    return [Turn("add 2 hours of QA at $80", current, today, (ACME,))]


def measure(turns: list[Turn], repeat: int) -> list[float]:
    """Milliseconds per interpret call, every turn `repeat` times."""
    timings: list[float] = []
    for _ in range(repeat):
        for turn in turns:
            start = time.perf_counter()
            interpret(turn.message, turn.current, today=turn.today, history=turn.history)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def _report(name: str, turns: list[Turn], repeat: int) -> None:
    timings = sorted(measure(turns, repeat))
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"{name:<18} turns {len(turns):>5}  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  max {timings[-1]:7.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    phrasings, corpus = phrasing_turns(), corpus_turns()
    measure(phrasings[:20], 1)  # warm the caches (compiled patterns, spelling)
    _report("phrasings", phrasings, args.repeat)
    _report("corpus", corpus, args.repeat)
    _report("all", phrasings + corpus, args.repeat)
    _report("mesh edit", mesh_edit_turns(), args.repeat * 200)


if __name__ == "__main__":
    main()
