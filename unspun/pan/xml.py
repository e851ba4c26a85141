"""PAN's XML for plagiarism cases (ground truth) and detections (a system's output)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..models import Comparison


@dataclass(frozen=True)
class Case:
    """One case or detection: character spans on the suspicious ("this") side and the source side."""

    this: tuple[int, int]
    source: tuple[int, int]
    source_reference: str = ""
    obfuscation: str | None = None


_FEATURES = ("plagiarism", "detected-plagiarism")


#: The attributes that place a case on each side.
_SPANS = ("this_offset", "this_length", "source_offset", "source_length")


def parse(path: str | Path) -> list[Case]:
    """Cases of a PAN XML file, ground truth (`plagiarism`) or detections (`detected-plagiarism`)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise InputError(f"{path}: not a readable PAN XML file ({e})") from None
    if root.tag != "document":  # (an HTML page in place of one was read as a pair without reuse)
        raise InputError(f"{path}: not a PAN XML file (its root element is <{root.tag}>, not <document>)")
    out = []
    for f in root.iter("feature"):
        if f.get("name") not in _FEATURES:
            continue
        if missing := [k for k in _SPANS if f.get(k) is None]:  # (read as 0: an empty case no detection could hit)
            raise InputError(f"{path}: a {f.get('name')} feature has no {', '.join(missing)}")
        try:
            to, tl = int(f.get("this_offset")), int(f.get("this_length"))
            so, sl = int(f.get("source_offset")), int(f.get("source_length"))
        except ValueError as e:  # a traceback before
            raise InputError(f"{path}: a feature's offset or length is not a whole number ({e})") from None
        if min(to, tl, so, sl) < 0:  # a span ending before it starts was scored as if it were a case, silently
            raise InputError(f"{path}: a feature's offset or length is negative (this_offset={to}, this_length={tl}, "
                             f"source_offset={so}, source_length={sl})")
        out.append(Case((to, to + tl), (so, so + sl), f.get("source_reference", ""), f.get("obfuscation")))
    return out


def detections_xml(comparison: Comparison, this_reference: str, source_reference: str) -> str:
    """PAN's detection format for a comparison, A being the suspicious document and B the source."""
    root = ET.Element("document", reference=this_reference)
    for p in comparison.passages:
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(p.a[0]),
            this_length=str(p.a[1] - p.a[0]),
            source_reference=source_reference,
            source_offset=str(p.b[0]),
            source_length=str(p.b[1] - p.b[0]),
        )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
