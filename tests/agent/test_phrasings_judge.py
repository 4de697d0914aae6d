"""The phrasing judge's rule for payment terms (tests/agent/phrasings/cases.py, README "Net N").

"due in N days" sets the due date to the issue date + N; terms "Net N" restate that fact. So the
judge takes "Net N" (and its es/de/fr forms) as equal to no terms when the due date is exactly N days
after the issue date, in either direction, and only then.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.agent.phrasings.cases import net_days, net_terms_restate_due_date

ISSUE = dt.date(2026, 3, 12)


@pytest.mark.parametrize(
    ("terms", "days"),
    [
        ("Net 30", 30),
        ("net 14 days", 14),
        ("Neto 30", 30),
        ("30 días netos", 30),
        ("14 Tage netto", 14),
        ("Netto 14 Tage", 14),
        ("30 jours net", 30),
        ("Net 30 jours", 30),
    ],
)
def test_net_terms_are_read_in_the_four_languages(terms: str, days: int) -> None:
    assert net_days(terms) == days


@pytest.mark.parametrize("terms", ["", "Due on receipt", "50% upfront", "Zahlbar innerhalb 14 Tagen"])
def test_other_terms_are_not_net_terms(terms: str) -> None:
    assert net_days(terms) is None


def test_net_n_written_where_no_terms_were_expected_is_accepted_when_due_is_issue_plus_n() -> None:
    assert net_terms_restate_due_date("Net 14", ("",), ISSUE, ISSUE + dt.timedelta(days=14))


def test_no_terms_written_where_net_n_was_expected_is_accepted_when_due_is_issue_plus_n() -> None:
    assert net_terms_restate_due_date("", ("Net 30",), ISSUE, ISSUE + dt.timedelta(days=30))


def test_net_n_with_a_due_date_at_another_distance_is_not_accepted() -> None:
    assert not net_terms_restate_due_date("Net 14", ("",), ISSUE, ISSUE + dt.timedelta(days=15))


def test_net_n_without_a_due_date_is_not_accepted() -> None:
    assert not net_terms_restate_due_date("Net 14", ("",), ISSUE, None)


def test_net_n_where_other_terms_were_expected_is_not_accepted() -> None:
    assert not net_terms_restate_due_date("Net 14", ("Due on receipt",), ISSUE, ISSUE + dt.timedelta(days=14))
