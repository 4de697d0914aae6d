"""Poppler's command-line readers: what a person's PDF viewer and a text extractor see."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ENSURE_POPPLER = Path(__file__).with_name("ensure_poppler.sh")


@functools.cache
def _ensure_poppler() -> str:
    """Installs poppler-utils the first time a test needs it; '' when done, else why not."""
    done = subprocess.run(["bash", str(ENSURE_POPPLER)], capture_output=True, text=True, timeout=600)
    return "" if done.returncode == 0 else done.stderr.strip()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        why = _ensure_poppler()
        path = shutil.which(name)
        if path is None:
            pytest.fail(f"{name} is missing and {ENSURE_POPPLER.name} could not install poppler-utils: {why}")
    return path


def _run(name: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "document.pdf"
        file.write_bytes(pdf)
        done = subprocess.run(
            [_tool(name), *args, str(file), "-"] if name == "pdftotext" else [_tool(name), *args, str(file)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    return _run("pdftotext", pdf, *(["-layout"] if layout else []))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    pages = pdf_text(pdf, layout=True).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: bytes) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf), re.MULTILINE)
    assert match, "pdfinfo printed no page count"
    return int(match.group(1))


def page_size_points(pdf: bytes) -> tuple[float, float]:
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", _run("pdfinfo", pdf), re.MULTILINE)
    assert match, "pdfinfo printed no page size"
    return float(match.group(1)), float(match.group(2))


def fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the PDF uses."""
    rows = _run("pdffonts", pdf).splitlines()[2:]
    out = []
    for row in rows:
        fields = row.split()
        # name type... encoding emb sub uni object-id generation: "emb" is the 5th field from the end
        out.append((fields[0], fields[-5] == "yes"))
    return out
