"""Where a passage stands in a pane of a side-by-side view, for the browser tests of the HTML report and of the
pages of `unspun serve` (both linked by unspun/report/passages.js)."""

from __future__ import annotations

import time


def in_view(pane, pid: str) -> bool:
    """Whether passage ``pid``'s first piece lies inside the visible part of its scrolled ``pane``."""
    return pane.evaluate("""(pane, pid) => {
        const r = pane.getBoundingClientRect();
        const t = pane.querySelector('[data-p~="' + pid + '"]').getBoundingClientRect();
        return t.top >= r.top && t.top < r.bottom; }""", pid)


def comes_into_view(pane, pid: str, seconds: float = 5) -> bool:
    """Whether passage ``pid`` is in view within a few seconds: a chosen passage is scrolled to smoothly."""
    deadline = time.monotonic() + seconds
    while not in_view(pane, pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
