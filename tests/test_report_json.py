"""render_json: exactly Comparison.to_json, readable non-ASCII."""

from __future__ import annotations

import json

from unspun.models import Comparison, Document, Passage, Record
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


FIRST = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
         "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
         "Engineers expect construction to take eighteen months and to cost about forty million euros. ")
SECOND = ("The regional government will pay half, and the rest will come from a European fund for coastal towns. "
          "Work is due to start in the spring, once the tender for the stone has been awarded. "
          "The mayor said the harbour would stay open to boats while the new wall is being built. ")
DEBRIS = "Read more: Ten best cafés near the station you must visit this summer and why locals love them so much MORE "


def _outside(runs: list[list[int]], spans: list[list[int]]) -> bool:
    return all(e <= a or s >= b for s, e in runs for a, b in spans)


def test_runs_inserted_into_reused_text_are_in_the_json(tmp_path) -> None:
    """The evidence counted "1 run inserted" and the JSON said nowhere which: `inserted` gives each side's runs,
    outside every passage, in compare's JSON and in each source of check's."""
    from unspun import Index, compare

    copy = FIRST + DEBRIS + SECOND
    got = json.loads(render_json(compare(copy, FIRST + SECOND)))
    assert [copy[s:e] for s, e in got["inserted"]["a"]] == [DEBRIS.strip()] and got["inserted"]["b"] == []
    assert _outside(got["inserted"]["a"], [p["a"] for p in got["passages"]])
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="original", text=FIRST + SECOND)])
        source = ix.check(copy).to_json()["sources"][0]
    assert source["id"] == "original" and source["inserted"] == {"query": got["inserted"]["a"], "source": []}
    assert _outside(source["inserted"]["query"], [p["query"] for p in source["passages"]])
