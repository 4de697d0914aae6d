"""The formula compiler: SocialCalc formula text → tokens → reverse Polish → evaluator program.

This is a faithful port of ``formula1.js`` (``ParseFormulaIntoTokens`` and
``ConvertInfixToPolish``) rather than a textbook grammar, because the engine's quirks decide
what a formula means: unary minus binds tighter than ``^`` (``-2^2`` = 4), ``TRUE`` works with
or without ``()``, a one- or two-letter name such as ``A`` is a column reference, ``#NAME?``
alone is a syntax error (only special values ending in ``!`` are read), ``'`` delimits
strings just like ``"``, and ``=`` has no precedence at all (``1=1+1`` is 2, ``1=-1`` is a
"Missing operand" error), unlike ``<``, ``<>`` and the other comparisons.

:func:`compile_formula` tokenizes and converts once and caches the result, so recalculation
of a large sheet does not re-parse a formula text it has seen before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docmesh_document.msc.jsnum import js_number

__all__ = [
    "PROG_COORD",
    "PROG_NAME",
    "PROG_NUM",
    "PROG_OP",
    "PROG_START",
    "PROG_STRING",
    "CompiledFormula",
    "FormulaSyntaxError",
    "Token",
    "TokenType",
    "clear_caches",
    "compile_formula",
    "parse_formula",
    "references",
    "tokenize",
]


class TokenType:
    NUM = 1
    COORD = 2
    OP = 3
    NAME = 4
    ERROR = 5
    STRING = 6


# Character classes of the engine's tokenizer.
_NUM, _NUMSTART, _OP, _EOF, _ALPHA, _INCOORD, _ERRCH, _QUOTE, _SPACE, _SPECIAL = range(1, 11)
_CHARCLASS: dict[str, int] = {" ": _SPACE, "!": _OP, '"': _QUOTE, "'": _QUOTE, "#": _SPECIAL, "$": _INCOORD}
for _ch in "%&()*+,-/:<=>^":
    _CHARCLASS[_ch] = _OP
_CHARCLASS["."] = _NUMSTART
for _ch in "0123456789":
    _CHARCLASS[_ch] = _NUM
for _ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_":
    _CHARCLASS[_ch] = _ALPHA

# Parse states.
_S_NUM, _S_ALPHA, _S_COORD, _S_STRING, _S_STRINGQUOTE, _S_NUMEXP1, _S_NUMEXP2, _S_ALNUM, _S_SPECIAL = range(
    1, 10
)

#: Operator precedence (smaller binds tighter); negative = right associative. M/P are unary -/+,
#: G/L/N are >=, <=, <>.
PRECEDENCE = {
    "!": 1,
    ":": 2,
    ",": 2,
    "M": -3,
    "P": -3,
    "%": 4,
    "^": 5,
    "*": 6,
    "/": 6,
    "+": 7,
    "-": 7,
    "&": 8,
    "<": 9,
    ">": 9,
    # "=" is missing from the engine's table on purpose of nobody: its precedence is
    # undefined, and JavaScript comparisons with undefined are false. The effect (verified
    # with the oracle): "=" on the stack is popped by any following operator, so "1=1+1" is
    # (1=1)+1 = 2, and "1=-1" is "Missing operand". to_rpn reproduces that with None.
    "G": 9,
    "L": 9,
    "N": 9,
}

ERR_EXPONENT = "Improperly formed number exponent"
ERR_CHAR = "Unexpected character in formula"
ERR_STRING = "Improperly formed string"
ERR_SPECIAL = "Improperly formed special value"
ERR_TWOOPS = "Error in formula (two operators inappropriately in a row)"
ERR_MISSING_OPEN = "Missing open parenthesis in list with comma(s). "
ERR_CLOSE_NO_OPEN = "Closing parenthesis without open parenthesis. "
ERR_MISSING_CLOSE = "Missing close parenthesis. "

_COORD_TOKEN_RE = re.compile(r"^\$?[A-Z]{1,2}\$?[1-9]\d*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    type: int
    opcode: str = ""


class FormulaSyntaxError(ValueError):
    """The formula does not tokenize or parse (the engine's message is kept)."""


def tokenize(line: str) -> list[Token]:
    """Port of ``ParseFormulaIntoTokens``; errors become ``ERROR`` tokens as in the engine."""
    out: list[Token] = []
    push = out.append
    s = ""
    state = 0
    haddecimal = False
    n = len(line)
    for i in range(n + 1):
        if i < n:
            ch = line[i]
            cclass = _CHARCLASS.get(ch, 0)
        else:
            ch, cclass = "", _EOF

        if state == _S_NUM:
            if cclass == _NUM:
                s += ch
            elif cclass == _NUMSTART and not haddecimal:
                haddecimal = True
                s += ch
            elif ch in ("E", "e"):
                s += ch
                haddecimal = False
                state = _S_NUMEXP1
            else:
                push(Token(s, TokenType.NUM))
                haddecimal = False
                state = 0

        if state == _S_NUMEXP1:
            if cclass == _NUM:
                state = _S_NUMEXP2
            elif ch in ("+", "-") and s[-1:].upper() == "E":
                s += ch
            elif ch in ("E", "e"):
                pass
            else:
                push(Token(ERR_EXPONENT, TokenType.ERROR))
                state = 0

        if state == _S_NUMEXP2:
            if cclass == _NUM:
                s += ch
            else:
                push(Token(s, TokenType.NUM))
                state = 0

        if state == _S_ALPHA:
            if cclass == _NUM:
                state = _S_COORD
            elif cclass == _ALPHA or ch == ".":
                s += ch
            elif cclass == _INCOORD:
                state = _S_COORD
            elif cclass in (_OP, _NUMSTART, _SPACE, _EOF):
                push(Token(s.upper(), TokenType.NAME))
                state = 0
            else:
                push(Token(ERR_CHAR, TokenType.ERROR))
                state = 0

        if state == _S_COORD:
            if cclass in (_NUM, _INCOORD):
                s += ch
            elif cclass == _ALPHA:
                state = _S_ALNUM
            elif cclass in (_OP, _NUMSTART, _EOF, _SPACE):
                t = TokenType.COORD if _COORD_TOKEN_RE.match(s) else TokenType.NAME
                push(Token(s.upper(), t))
                state = 0
            else:
                push(Token(ERR_CHAR, TokenType.ERROR))
                state = 0

        if state == _S_ALNUM:
            if cclass in (_NUM, _ALPHA):
                s += ch
            elif cclass in (_OP, _NUMSTART, _SPACE, _EOF):
                push(Token(s.upper(), TokenType.NAME))
                state = 0
            else:
                push(Token(ERR_CHAR, TokenType.ERROR))
                state = 0

        if state == _S_STRING:
            if cclass == _QUOTE:
                state = _S_STRINGQUOTE
            elif cclass == _EOF:
                push(Token(ERR_STRING, TokenType.ERROR))
                state = 0
            else:
                s += ch
        elif state == _S_STRINGQUOTE:
            if cclass == _QUOTE:
                s += ch
                state = _S_STRING
            else:
                push(Token(s, TokenType.STRING))
                state = 0
        elif state == _S_SPECIAL:
            if s.endswith("!"):
                push(Token(s, TokenType.NAME))
                state = 0
            elif cclass == _EOF:
                push(Token(ERR_SPECIAL, TokenType.ERROR))
                state = 0
            else:
                s += ch

        if state == 0:
            if cclass == _NUM:
                s, state = ch, _S_NUM
            elif cclass == _NUMSTART:
                s, haddecimal, state = ch, True, _S_NUM
            elif cclass in (_ALPHA, _INCOORD):
                s, state = ch, _S_ALPHA
            elif cclass == _SPECIAL:
                s, state = ch, _S_SPECIAL
            elif cclass == _OP:
                s = ch
                last_type: int = _EOF
                last_text = "EOF"
                if out:
                    last_type, last_text = out[-1].type, out[-1].text
                    # The engine compares the token *type* with the *char class* op (both 3).
                    if last_type == _OP and last_text + s in ("<=", ">=", "<>"):
                        s = last_text + s
                        out.pop()
                        if out:
                            last_type, last_text = out[-1].type, out[-1].text
                        else:
                            last_type, last_text = _EOF, "EOF"
                ttype = TokenType.OP
                opch = ch
                if not out or (last_type == _OP and last_text not in (")", "%")):
                    if s == "-":
                        s = opch = "M"
                    elif s == "+":
                        s = opch = "P"
                    elif s == ")" and last_text == "(":
                        pass
                    elif s != "(":
                        ttype, s = TokenType.ERROR, ERR_TWOOPS
                elif len(s) > 1:
                    if s == ">=":
                        s = opch = "G"
                    elif s == "<=":
                        s = opch = "L"
                    elif s == "<>":
                        s = opch = "N"
                    else:
                        ttype, s = TokenType.ERROR, ERR_TWOOPS
                push(Token(s, ttype, opch))
                state = 0
            elif cclass == _QUOTE:
                s, state = "", _S_STRING
            elif cclass in (_SPACE, _EOF):
                pass
            else:
                push(Token(ERR_CHAR, TokenType.ERROR))
    return out


FUNCTION_START = -1


def to_rpn(tokens: list[Token]) -> list[int] | str:
    """Port of ``ConvertInfixToPolish``: token indexes in RPN order, or the error text."""
    rpn: list[int] = []
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        tt, text = tok.type, tok.text
        if tt in (TokenType.NUM, TokenType.COORD, TokenType.STRING):
            rpn.append(i)
        elif tt == TokenType.NAME:
            stack.append(i)
            rpn.append(FUNCTION_START)
        elif text == "," and tt == TokenType.OP:
            while stack and tokens[stack[-1]].text != "(":
                rpn.append(stack.pop())
            if not stack:
                return ERR_MISSING_OPEN
        elif text == "(" and tt == TokenType.OP:
            stack.append(i)
        elif text == ")" and tt == TokenType.OP:
            while stack and tokens[stack[-1]].text != "(":
                rpn.append(stack.pop())
            if not stack:
                return ERR_CLOSE_NO_OPEN
            stack.pop()
            if stack and tokens[stack[-1]].type == TokenType.NAME:
                rpn.append(stack.pop())
        elif tt == TokenType.OP:
            if stack and tokens[stack[-1]].type == TokenType.NAME:
                rpn.append(stack.pop())
            while stack and tokens[stack[-1]].type == TokenType.OP and tokens[stack[-1]].text != "(":
                # None stands for JavaScript's undefined: every comparison with it is false.
                prec = PRECEDENCE.get(tok.opcode)
                sprec = PRECEDENCE.get(tokens[stack[-1]].opcode)
                if prec is not None and prec >= 0:
                    if sprec is not None and prec < sprec:
                        break
                elif prec is not None:  # negative: right associative (unary - and +)
                    prec = -prec
                    if sprec is not None and sprec < 0:
                        sprec = -sprec
                    if sprec is not None and prec <= sprec:
                        break
                rpn.append(stack.pop())
            stack.append(i)
        elif tt == TokenType.ERROR:
            return text
        else:
            return "Internal error while processing parsed formula. "
    while stack:
        if tokens[stack[-1]].text == "(":
            return ERR_MISSING_CLOSE
        rpn.append(stack.pop())
    return rpn


@dataclass(frozen=True, slots=True)
class CompiledFormula:
    """A formula tokenized and converted once; ``error`` is set when it does not parse."""

    text: str
    tokens: tuple[Token, ...]
    rpn: tuple[int, ...]
    error: str  # "" when the formula parses
    # The RPN as (opcode, payload) pairs ready for the evaluator: numbers converted and
    # coordinates stripped of "$" once, at compile time (see PROG_* below).
    program: tuple[tuple[int, Any], ...] = ()


PROG_START, PROG_NUM, PROG_COORD, PROG_STRING, PROG_OP, PROG_NAME = range(6)


def _program(tokens: list[Token], rpn: list[int]) -> tuple[tuple[int, Any], ...]:
    out: list[tuple[int, Any]] = []
    for idx in rpn:
        if idx == FUNCTION_START:
            out.append((PROG_START, None))
            continue
        tok = tokens[idx]
        if tok.type == TokenType.NUM:
            out.append((PROG_NUM, js_number(tok.text)))
        elif tok.type == TokenType.COORD:
            out.append((PROG_COORD, tok.text.replace("$", "")))
        elif tok.type == TokenType.STRING:
            out.append((PROG_STRING, tok.text))
        elif tok.type == TokenType.OP:
            out.append((PROG_OP, tok.text))
        elif tok.type == TokenType.NAME:
            out.append((PROG_NAME, tok.text))
        else:
            out.append((-1, tok.text))
    return tuple(out)


# A coordinate as the tokenizer would read it: not glued to a preceding identifier, digit,
# "$" or "." (a name may contain dots), and not followed by more identifier characters
# (a following "." ends a coordinate, as in "A1.5"). Only used on formulas without strings
# or special values, where every match is exactly one COORD token.
_COORD_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_.$])\$?[A-Za-z]{1,2}\$?[1-9][0-9]*(?![A-Za-z0-9_$])")
# A string literal without quote characters inside, not followed by a quote (which would
# make the closing quote an escaped one). When these literals account for every quote of a
# formula, they are exactly the tokenizer's STRING tokens.
_STRING_LITERAL = re.compile(r"\"[^\"']*\"(?![\"'])|'[^\"']*'(?![\"'])")


@dataclass(frozen=True, slots=True)
class _Template:
    compiled: CompiledFormula
    coord_tokens: tuple[int, ...]  # token indexes of the COORD tokens, in text order
    string_tokens: tuple[int, ...]  # token indexes of the STRING tokens, in text order
    program_coords: tuple[tuple[int, int], ...]  # (program position, coord ordinal)
    program_strings: tuple[tuple[int, int], ...]  # (program position, string ordinal)


def _compile_full(text: str) -> CompiledFormula:
    tokens = tokenize(text)
    rpn = to_rpn(tokens)
    if isinstance(rpn, str):
        return CompiledFormula(text, tuple(tokens), (), rpn or "Error in formula.")
    if not tokens:
        return CompiledFormula(text, (), (), "Empty formula")
    return CompiledFormula(text, tuple(tokens), tuple(rpn), "", _program(tokens, rpn))


@lru_cache(maxsize=16384)
def _template(template_text: str) -> _Template:
    compiled = _compile_full(template_text)
    coord_tokens = tuple(i for i, t in enumerate(compiled.tokens) if t.type == TokenType.COORD)
    string_tokens = tuple(i for i, t in enumerate(compiled.tokens) if t.type == TokenType.STRING)
    cord = {tok: k for k, tok in enumerate(coord_tokens)}
    sord = {tok: k for k, tok in enumerate(string_tokens)}
    return _Template(
        compiled,
        coord_tokens,
        string_tokens,
        tuple((pos, cord[idx]) for pos, idx in enumerate(compiled.rpn) if idx in cord),
        tuple((pos, sord[idx]) for pos, idx in enumerate(compiled.rpn) if idx in sord),
    )


@lru_cache(maxsize=65536)
def compile_formula(text: str) -> CompiledFormula:
    """Tokenize and convert ``text`` (no leading ``=``); cached by text.

    Formulas that differ only in their cell references and string literals (``B7*C7``,
    ``B8*C8``, …) share one compiled template: references and strings are swapped in
    afterwards. A template is used only when every quote belongs to a plain string literal,
    there is no special value (``#``), and the template has exactly one COORD token per
    reference and one STRING token per literal; anything else goes through the tokenizer.
    """
    strings: list[str] = []
    work = text
    if '"' in text or "'" in text:
        literals = _STRING_LITERAL.findall(text)
        if text.count('"') + text.count("'") != 2 * len(literals):
            return _compile_full(text)
        strings = [lit[1:-1] for lit in literals]
        work = _STRING_LITERAL.sub('"S"', text)
    if "#" in work:
        return _compile_full(text)
    matches = _COORD_CANDIDATE.findall(work)
    if not matches and not strings:
        return _compile_full(text)
    tpl = _template(_COORD_CANDIDATE.sub("A1", work))
    base = tpl.compiled
    if base.error or len(tpl.coord_tokens) != len(matches) or len(tpl.string_tokens) != len(strings):
        return _compile_full(text)
    tokens = list(base.tokens)
    for idx, ref in zip(tpl.coord_tokens, matches, strict=True):
        tokens[idx] = Token(ref.upper(), TokenType.COORD, "")
    for idx, lit in zip(tpl.string_tokens, strings, strict=True):
        tokens[idx] = Token(lit, TokenType.STRING, "")
    program = list(base.program)
    for pos, k in tpl.program_coords:
        program[pos] = (PROG_COORD, matches[k].upper().replace("$", ""))
    for pos, k in tpl.program_strings:
        program[pos] = (PROG_STRING, strings[k])
    return CompiledFormula(text, tuple(tokens), base.rpn, "", tuple(program))


def clear_caches() -> None:
    """Forget every compiled formula and template (for cold-start measurements)."""
    compile_formula.cache_clear()
    _template.cache_clear()


def parse_formula(text: str) -> CompiledFormula:
    """Compile ``text`` and raise :class:`FormulaSyntaxError` with the engine's message if it fails."""
    compiled = compile_formula(text)
    if compiled.error:
        raise FormulaSyntaxError(compiled.error)
    return compiled


def references(compiled: CompiledFormula) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Cell references of a formula as the engine's dependency walk sees them.

    Returns (single coords, ranges as (from, to) pairs, names), coords without ``$``. References
    behind a sheet qualifier (``Sheet!A1``) point at other rooms and are left out, as the engine
    leaves them out of its own dependency check.
    """
    coords: list[str] = []
    ranges: list[tuple[str, str]] = []
    names: list[str] = []
    toks = compiled.tokens
    sheetref = False
    for i, tok in enumerate(toks):
        if tok.type == TokenType.OP:
            if tok.text == "!":
                sheetref = True
            elif tok.text != ":":
                sheetref = False
        elif tok.type == TokenType.NAME:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if not (nxt is not None and nxt.type == TokenType.OP and nxt.text == "("):
                names.append(tok.text)
        elif tok.type == TokenType.COORD and not sheetref:
            plain = tok.text.replace("$", "")
            if (
                i >= 2
                and toks[i - 1].type == TokenType.OP
                and toks[i - 1].text == ":"
                and toks[i - 2].type == TokenType.COORD
            ):
                if coords and coords[-1] == toks[i - 2].text.replace("$", ""):
                    coords.pop()
                ranges.append((toks[i - 2].text.replace("$", ""), plain))
            else:
                coords.append(plain)
    return coords, ranges, names
