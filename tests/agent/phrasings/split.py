"""Move a stratified random 50 of the cases in seen/ into heldout/ (run once, when all were written;
that set is former_heldout/ since session 4).

Stratified by file (each file is a class or a language): every file gives up its share of the 50,
rounded by largest remainder, chosen with random.Random(SEED). A case is moved as the text it was
written in (comments kept); the file's header (today, weekday, lang, alternatives, bases) is copied
to the held-out file of the same name. Refuses to run when heldout/ already has cases, so the split
is done once: `.venv/bin/python -m tests.agent.phrasings.split`.
"""

from __future__ import annotations

import random
import re
import sys
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).parent
SEED = 13  # the number
HELD_OUT = 50
_CASE_START = re.compile(r"^  - id: (?P<id>\S+)\s*$", re.MULTILINE)


def _blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The header (up to and including `cases:`) and each case's text, by id."""
    starts = [m.start() for m in _CASE_START.finditer(text)]
    header = text[: starts[0]]
    bodies = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return header, [(_CASE_START.match(body).group("id"), body) for body in bodies]  # type: ignore[union-attr]


def _quotas(sizes: dict[str, int]) -> dict[str, int]:
    total = sum(sizes.values())
    exact = {name: Fraction(size * HELD_OUT, total) for name, size in sizes.items()}
    quotas = {name: int(share) for name, share in exact.items()}
    by_remainder = sorted(exact, key=lambda name: (-(exact[name] - quotas[name]), name))
    for name in by_remainder[: HELD_OUT - sum(quotas.values())]:
        quotas[name] += 1
    return quotas


def main() -> int:
    seen, held = HERE / "seen", HERE / "heldout"
    if list((HERE / "former_heldout").glob("*.yaml")):
        sys.stderr.write("the split was done in session 3 (its cases are former_heldout/ now).\n")
        return 1
    if list(held.glob("*.yaml")):
        sys.stderr.write("heldout/ already has cases; the split is done once.\n")
        return 1
    held.mkdir(exist_ok=True)
    files = {path.stem: _blocks(path.read_text(encoding="utf-8")) for path in sorted(seen.glob("*.yaml"))}
    quotas = _quotas({name: len(cases) for name, (_, cases) in files.items()})
    rng = random.Random(SEED)
    for name, (header, cases) in files.items():
        chosen = set(rng.sample([case_id for case_id, _ in cases], quotas[name]))
        kept = "".join(body for case_id, body in cases if case_id not in chosen)
        moved = "".join(body for case_id, body in cases if case_id in chosen)
        (seen / f"{name}.yaml").write_text((header + kept).rstrip("\n") + "\n", encoding="utf-8")
        if moved:
            (held / f"{name}.yaml").write_text((header + moved).rstrip("\n") + "\n", encoding="utf-8")
        sys.stdout.write(f"{name}: {len(cases) - len(chosen)} seen, {len(chosen)} held out\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
