"""Numbers, money and dates as a document in a given language prints them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from docmesh_common.model.currency import minor_units


class Formatter:
    """Formats for one document: its currency's minor units and its language's separators."""

    def __init__(self, currency_code: str, locale: str) -> None:
        self.currency_code = currency_code
        self.locale = locale
        digits = minor_units(currency_code)
        self._money_pattern = "#,##0" + ("." + "0" * digits if digits else "")

    def money(self, amount: Decimal) -> str:
        """1234.5 USD -> "1,234.50"; JPY -> "1,235"; in German "1.234,50"."""
        return format_decimal(
            amount, format=self._money_pattern, locale=self.locale, decimal_quantization=True
        )

    def money_with_code(self, amount: Decimal) -> str:
        return f"{self.currency_code} {self.money(amount)}"

    def quantity(self, value: Decimal) -> str:
        """As few digits as the value needs: 10, 2.5, 0.125."""
        exponent = value.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        pattern = "#,##0" + ("." + "#" * places if places else "")
        return format_decimal(value, format=pattern, locale=self.locale, decimal_quantization=False)

    def percent(self, value: Decimal) -> str:
        return self.quantity(value)

    def date(self, value: dt.date) -> str:
        return format_date(value, format="medium", locale=self.locale)
