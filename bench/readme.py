"""The README blocks the benches fill: the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def block(name: str, md: str, readme: Path = README) -> None:
    """Replace the block ``name`` with ``md``; a README without that block is left alone (held-out corpora)."""
    text = readme.read_text(encoding="utf-8")
    if f"<!-- bench:{name} -->" in text:
        new = f"<!-- bench:{name} -->\n{md}\n<!-- /bench:{name} -->"
        text = re.sub(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", lambda _: new, text, flags=re.S)
        readme.write_text(text, encoding="utf-8")
