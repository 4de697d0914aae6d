"""The document model every service shares: the invoice, its currencies and its one arithmetic.

`invoice` holds the typed document and its proto conversions, `currency` the ISO 4217 facts,
and `totals` the single definition of the invoice's Decimal arithmetic.
"""
