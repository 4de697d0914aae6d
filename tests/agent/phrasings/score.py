"""Pass rates of the phrasing cases per set, class (file) and language.

    .venv/bin/python -m tests.agent.phrasings.score             # the tables (markdown), every set
    .venv/bin/python -m tests.agent.phrasings.score --failures  # and what fails in the visible sets
    .venv/bin/python -m tests.agent.phrasings.score --seen-only # the visible sets (heldout_v4/ not run)

The held-out set (heldout_v4/) is only ever counted here: its column shows totals per class and
language, never a case id or a failure. Whoever tunes the interpreter reads the failures of the
visible sets and the held-out totals, and nothing else of heldout_v4/.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

from tests.agent.phrasings.cases import LANGUAGES, SETS, VISIBLE_SETS, Case, load_cases, run


def _rate(passed: int, total: int) -> str:
    return f"{passed}/{total} ({100 * passed / total:.0f}%)" if total else "-"


def _table(title: str, keys: Iterable[str], results: dict[str, dict[str, list[bool]]]) -> list[str]:
    lines = [f"| {title} | " + " | ".join(SETS) + " |", "|---|" + "---|" * len(SETS)]
    for key in keys:
        cells = [_rate(sum(results[s][key]), len(results[s][key])) for s in SETS]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str]) -> int:
    show_failures = "--failures" in argv
    # Whoever tunes the interpreter measures the visible sets alone, without even running heldout_v4/.
    sets = VISIBLE_SETS if "--seen-only" in argv else SETS
    by_class: dict[str, dict[str, list[bool]]] = {s: defaultdict(list) for s in SETS}
    by_lang: dict[str, dict[str, list[bool]]] = {s: defaultdict(list) for s in SETS}
    failures: list[tuple[Case, list[str]]] = []
    for set_name in sets:
        for case in load_cases(set_name):
            _, problems = run(case)
            ok = not problems
            for key in (case.file, "all"):
                by_class[set_name][key].append(ok)
            by_lang[set_name][case.lang].append(ok)
            if not ok and set_name in VISIBLE_SETS:
                failures.append((case, problems))
    classes = sorted({k for s in SETS for k in by_class[s]} - {"all"})
    out = [
        *_table("class (file)", [*classes, "all"], by_class),
        "",
        *_table("language", LANGUAGES, by_lang),
    ]
    if show_failures:
        out.append("")
        for case, problems in failures:
            out.append(f"FAIL {case.test_id}: {list(case.messages)}")
            out.extend(f"    {p}" for p in problems)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
