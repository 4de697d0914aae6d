"""A logo where it enters: a PNG or JPEG that Pillow decodes and whose real format is the one
its content type says, or an SVG parsed safely (defusedxml: no entities, no DTDs) whose root
is <svg> and that holds no script, event handler or external reference; at most 256 KB."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from PIL import Image, UnidentifiedImageError

from docmesh_common.errors import InvalidArgument
from docmesh_session.repository.profiles import Logo

MAX_LOGO_BYTES = 262_144
# The content types accepted, and the format Pillow must find in the bytes.
_RASTER = {"image/png": "PNG", "image/jpeg": "JPEG"}
SVG = "image/svg+xml"
_FIELD = "image"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
# url(...) in a style that points anywhere but inside the document (#id).
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)
_SVG_LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


def accept_logo(content_type: str, data: bytes) -> Logo:
    content_type = content_type.split(";")[0].strip().lower()
    if not data:
        raise InvalidArgument("image.data is empty", field="image.data")
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidArgument(f"image.data is larger than {MAX_LOGO_BYTES} bytes", field="image.data")
    if content_type in _RASTER:
        return _raster(content_type, data)
    if content_type == SVG:
        return _svg(data)
    raise InvalidArgument(
        f"image.content_type must be one of image/png, image/jpeg, {SVG}", field="image.content_type"
    )


def _raster(content_type: str, data: bytes) -> Logo:
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InvalidArgument("image.data is not a readable image", field="image.data") from None
    if found != _RASTER[content_type]:
        raise InvalidArgument(f"image.data is {found}, not {content_type}", field="image.content_type")
    return Logo(content_type, data, width, height)


def _svg(data: bytes) -> Logo:
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise InvalidArgument(
            "image.data is not a well-formed SVG without a DTD", field="image.data"
        ) from None
    if root.tag not in (_SVG_ROOT, "svg"):
        raise InvalidArgument("image.data's root element is not <svg>", field="image.data")
    for element in root.iter():
        local = str(element.tag).rsplit("}", 1)[-1].lower()
        if local in {"script", "foreignobject"}:
            raise InvalidArgument(f"image.data holds a <{local}> element", field="image.data")
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                raise InvalidArgument(f"image.data holds an event handler ({attribute})", field="image.data")
            if (name == _XLINK_HREF or attribute == "href") and not value.strip().startswith(
                ("#", "data:image/")
            ):
                raise InvalidArgument("image.data refers to something outside itself", field="image.data")
        styled = element.attrib.get("style", "") + (element.text or "")
        if _EXTERNAL_URL.search(styled):
            raise InvalidArgument("image.data refers to something outside itself", field="image.data")
    return Logo(SVG, data, _length(root.get("width")), _length(root.get("height")))


def _length(value: str | None) -> int:
    """A width or height in user units (px); 0 when absent or relative (e.g. 100%)."""
    match = _SVG_LENGTH.match(value or "")
    return round(float(match.group(1))) if match else 0
