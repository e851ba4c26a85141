"""render_json: exactly Comparison.to_json, readable non-ASCII."""

from __future__ import annotations

import json

from unspun.models import Comparison, Document, Passage
from unspun.report import render_json


def test_render_json_is_the_contract() -> None:
    c = Comparison(
        Document("caf\u00e9 text", "caf\u00e9.txt"),
        Document("other caf\u00e9 text", "b.txt"),
        [Passage((0, 4), (6, 10), "verbatim", 0.123456)],
        0.5,
        0.25,
        source="a",
        evidence=["dates"],
    )
    out = render_json(c)
    assert json.loads(out) == c.to_json()
    assert "caf\u00e9.txt" in out
    assert json.loads(out)["passages"][0] == {"a": [0, 4], "b": [6, 10], "kind": "verbatim", "similarity": 0.1235}
