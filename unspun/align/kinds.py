"""Which kind of reuse a passage is: verbatim, edited, paraphrase or summary (translation is said where it is found).
"""

from __future__ import annotations

from ..models import Kind
from ..text import fold, has_cjk, WORD
from .pair import _Pair
from .punctuation import _bare_words, _signs


def _same(pair: _Pair, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans say the same word for word: their words (`_bare_words`), and the signs at their ends where
    both have one (a sign one side alone has is one `_open` or `_close` took in there)."""
    x, y = pair.ua.text[a[0] : a[1]].strip(), pair.ub.text[b[0] : b[1]].strip()
    if _bare_words(x) != _bare_words(y):
        return False
    for ex, ey in ((_signs(x), _signs(y)), (_signs(x[::-1]), _signs(y[::-1]))):
        if ex and ey and ex != ey:
            return False
    return True


# --- kinds ------------------------------------------------------------------------------------------------


def _written_words(text: str) -> list[str]:
    """Words as written, punctuation attached, each read as `unspun.text.fold` reads it; Chinese and Japanese runs,
    written without spaces, by character."""
    out: list[str] = []
    for w in (text.replace("\u1361", " ") if "\u1361" in text else text).split():  # (Ethiopic's word separator)
        if w.isascii():
            out.append(w)
        elif has_cjk(w):
            out += WORD.findall(fold(w))
        else:
            out.append(fold(w))
    return out


def _kind(pair: _Pair, a: tuple[int, int], b: tuple[int, int], summary: bool) -> Kind:
    text_a, text_b = pair.ua.text[a[0] : a[1]], pair.ub.text[b[0] : b[1]]
    if _same(pair, a, b):  # as written: a copy in look-alike letters is edited, not verbatim
        return "verbatim"
    if summary:
        return "summary"
    ta, tb = _written_words(text_a), _written_words(text_b)
    # Share of word trigrams in common: high for edited copies, low for paraphrase and translation.
    ga = {tuple(ta[i : i + 3]) for i in range(len(ta) - 2)}
    gb = {tuple(tb[i : i + 3]) for i in range(len(tb) - 2)}
    overlap = len(ga & gb) / max(1, min(len(ga), len(gb)))
    return "edited" if overlap >= 0.5 else "paraphrase"
