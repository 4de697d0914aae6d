"""Dates, period and language of the shared invoice model."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

from docmesh_common.model.invoice import Invoice, from_proto, to_proto


def test_delivery_date_service_period_and_language_survive_the_wire() -> None:
    invoice = Invoice(
        delivery_date=dt.date(2026, 3, 5),
        service_period_start=dt.date(2026, 2, 1),
        service_period_end=dt.date(2026, 2, 28),
        language="de",
    )
    assert from_proto(to_proto(invoice)) == invoice


def test_the_language_defaults_to_english_and_is_stored_in_lower_case() -> None:
    assert Invoice().language == "en"
    assert Invoice(language="FR").language == "fr"


def test_a_language_docmesh_does_not_write_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="language"):
        Invoice(language="it")


def test_a_service_period_needs_both_ends_in_order() -> None:
    with pytest.raises(pydantic.ValidationError, match="both"):
        Invoice(service_period_start=dt.date(2026, 2, 1))
    with pytest.raises(pydantic.ValidationError, match="ends on or after"):
        Invoice(service_period_start=dt.date(2026, 2, 2), service_period_end=dt.date(2026, 2, 1))
