"""ISO 4217 currencies: which codes exist and how many minor-unit digits each has."""

from __future__ import annotations

# Codes whose minor unit is not 2 digits (ISO 4217 list, current edition).
_ZERO_DIGITS = frozenset("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split())
_THREE_DIGITS = frozenset("BHD IQD JOD KWD LYD OMR TND".split())
_FOUR_DIGITS = frozenset(["CLF", "UYW"])

# Every active alphabetic code (funds and precious metals excluded).
ACTIVE_CODES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF
    KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR
    MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG
    SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI
    UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()
)


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code in upper case."""
    return code in ACTIVE_CODES


def minor_units(code: str) -> int:
    """Digits after the decimal point in amounts of this currency (USD 2, JPY 0, KWD 3)."""
    if code in _ZERO_DIGITS:
        return 0
    if code in _THREE_DIGITS:
        return 3
    if code in _FOUR_DIGITS:
        return 4
    return 2
