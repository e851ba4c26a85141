"""Counts said in words (`unspun.wording`)."""

from unspun.wording import counted


def test_one_is_singular_any_other_count_plural() -> None:
    assert counted(1, "source") == "1 source"
    assert [counted(n, "source") for n in (0, 2)] == ["0 sources", "2 sources"]
    assert counted(3, "ground-truth case end") == "3 ground-truth case ends"


def test_an_irregular_plural_is_given() -> None:
    assert counted(2, "match", "matches") == "2 matches" and counted(1, "match", "matches") == "1 match"
