"""Real phrasings for the built-in interpreter, one test per case (tests/agent/phrasings/).

Every case in seen/, former_heldout/, seen_v2/, seen_v3/ and seen_v4/ runs in the normal suite: all are tuning
data (the old held-out set was read after the session-3 measurement, so it moved to
former_heldout/; seen_v2/ and seen_v3/ are session 4's tuning batches, seen_v4/ session 5's). The
held-out set (phrasings/heldout_v2/) is for measuring only: whoever tunes the interpreter does not
open it, so its cases are loaded and run only with DOCMESH_PHRASINGS_HELDOUT=1:

    DOCMESH_PHRASINGS_HELDOUT=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/agent/test_phrasings.py

Test ids are `<set>/<file>/<id>`. The format and the rules (today, weekdays, defaults, acceptable
alternatives) are in phrasings/README.md; the pass rates per set, class and language come from
`python -m tests.agent.phrasings.score`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.agent.phrasings.cases import HELDOUT_SET, VISIBLE_SETS, Case, load_cases, run

HELDOUT = os.environ.get("DOCMESH_PHRASINGS_HELDOUT") == "1"
_only_with_heldout = pytest.mark.skipif(
    not HELDOUT, reason="held-out cases run only with DOCMESH_PHRASINGS_HELDOUT=1 (see the module docstring)"
)

VISIBLE = [case for set_name in VISIBLE_SETS for case in load_cases(set_name)]
HELDOUT_CASES = load_cases(HELDOUT_SET) if HELDOUT else []
# The seen_v2/, seen_v3/ and seen_v4/ cases the interpreter does not pass yet, one test id a line in
# phrasings/<set>_not_yet.txt: expected to fail, strictly, so that a case that starts passing fails
# until it is taken off the list (and a case that was passing cannot fail quietly). seen/ and
# former_heldout/ have no such list.
NOT_YET_SETS = ("seen_v2", "seen_v3", "seen_v4", "former_heldout_v2", "former_heldout_v3")


def _not_yet(set_name: str) -> frozenset[str]:
    path = Path(__file__).parent / "phrasings" / f"{set_name}_not_yet.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


NOT_YET = {set_name: _not_yet(set_name) for set_name in NOT_YET_SETS}


def _param(case: Case) -> Any:
    listed = case.test_id in NOT_YET.get(case.set_name, frozenset())
    reason = f"listed in phrasings/{case.set_name}_not_yet.txt"
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if listed else []
    return pytest.param(case, id=case.test_id, marks=marks)


def _check(case: Case) -> None:
    result, problems = run(case)
    assert not problems, "\n".join([f"messages: {list(case.messages)}", *problems]) + (
        f"\nreply: {result.reply!r}" if result else ""
    )


@pytest.mark.parametrize("case", [_param(c) for c in VISIBLE])
def test_phrasing(case: Case) -> None:
    _check(case)


@_only_with_heldout
@pytest.mark.parametrize("case", HELDOUT_CASES, ids=[c.test_id for c in HELDOUT_CASES])
def test_heldout_phrasing(case: Case) -> None:
    _check(case)


def test_case_ids_are_unique_within_their_file() -> None:
    ids = [c.test_id for c in [*VISIBLE, *HELDOUT_CASES]]
    assert len(ids) == len(set(ids))


def test_the_seen_set_has_the_size_the_issue_asks_for() -> None:
    assert len([c for c in VISIBLE if c.set_name == "seen"]) >= 110


@pytest.mark.parametrize("set_name", NOT_YET_SETS)
def test_a_not_yet_list_names_only_cases_of_its_own_set(set_name: str) -> None:
    assert NOT_YET[set_name] <= {c.test_id for c in VISIBLE if c.set_name == set_name}


def test_the_seen_v2_set_keeps_its_120_cases() -> None:
    assert len([c for c in VISIBLE if c.set_name == "seen_v2"]) == 120


def test_the_seen_v3_set_keeps_its_100_cases() -> None:
    assert len([c for c in VISIBLE if c.set_name == "seen_v3"]) == 100


def test_the_seen_v4_set_keeps_its_100_cases() -> None:
    assert len([c for c in VISIBLE if c.set_name == "seen_v4"]) == 100


def test_the_former_heldout_set_keeps_its_fifty_cases() -> None:
    assert len([c for c in VISIBLE if c.set_name == "former_heldout"]) == 50


@_only_with_heldout
def test_the_heldout_set_has_the_size_the_issue_asks_for() -> None:
    assert len(HELDOUT_CASES) >= 50
