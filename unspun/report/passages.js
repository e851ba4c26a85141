// The passages of a side-by-side view, linked across its panes: one script for the HTML report (inlined, so the
// file opens from disk) and the pages of `unspun serve` (served as /static/passages.js). It reads only markup,
// never data written into a script: each pane is a `.doc`, each piece of text a passage covers is a `.p` naming
// the passages over it (`data-p="1 3"`), each chooser in the passage list names one (`data-go="3"`), and the
// panes stand in a `.docs`. Sides are not named: the panes are whatever `.doc` elements the root holds.
"use strict";
var Passages = (function () {
  // How far below the top of `pane`'s visible part `el` is, measured on screen: offsetTop counts from whichever
  // ancestor the CSS positions, not necessarily the pane.
  function below(pane, el) {
    return el.getBoundingClientRect().top - pane.getBoundingClientRect().top;
  }

  // Hovering a piece lights its passages' pieces in every pane. Clicking it, or choosing its passage in the list
  // (click, or Tab to it and Enter or Space), pins the passage and scrolls the other panes to it.
  function link(root) {
    var panes = root.querySelectorAll(".doc");
    var pinned = null;
    function mark(ids, cls, on) {
      ids.forEach(function (id) {
        root.querySelectorAll('.doc [data-p~="' + id + '"]').forEach(function (n) { n.classList.toggle(cls, on); });
      });
    }
    // Panes are scrolled directly: two smooth scrollIntoView calls at once cancel each other in some browsers.
    function reveal(pane, id) {
      var target = pane.querySelector('[data-p~="' + id + '"]');
      if (!target) return;
      pane.scrollTo({ top: pane.scrollTop + below(pane, target) - pane.clientHeight / 3, behavior: "smooth" });
    }
    function select(id, from) {
      if (pinned) mark([pinned], "sel", false);
      pinned = id;
      mark([id], "sel", true);
      panes.forEach(function (pane) { if (pane !== from) reveal(pane, id); });
    }
    // A passage chosen in the list: the panes may lie below it, off screen.
    function choose(chooser) {
      root.querySelector(".docs").scrollIntoView({ block: "nearest", behavior: "smooth" });
      select(chooser.getAttribute("data-go"), null);
    }
    function ids(piece) { return piece.getAttribute("data-p").split(" "); }
    root.addEventListener("mouseover", function (e) {
      var n = e.target.closest(".doc .p");
      if (n) mark(ids(n), "on", true);
    });
    root.addEventListener("mouseout", function (e) {
      var n = e.target.closest(".doc .p");
      if (n) mark(ids(n), "on", false);
    });
    root.addEventListener("click", function (e) {
      var n = e.target.closest(".doc .p");
      if (n) { select(ids(n)[0], n.closest(".doc")); return; }
      var chooser = e.target.closest("[data-go]");
      if (!chooser) return;
      e.preventDefault(); // a link in the list would jump its own page to the passage's anchor
      choose(chooser);
    });
    // Choosers take the focus (links, or rows with a tabindex): Enter or Space chooses without a mouse.
    root.addEventListener("keydown", function (e) {
      var chooser = e.target.closest("[data-go]");
      if (!chooser || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      choose(chooser);
    });
  }

  // Each pane starts at its first passage: a long text's first screen may hold none, and a pane with no marked
  // passage in sight reads as "nothing reused here". Call it once the panes are laid out (shown); a pane the
  // reader has already scrolled is left where it is.
  function showFirst(root) {
    root.querySelectorAll(".doc").forEach(function (pane) {
      var first = pane.querySelector(".p");
      if (!first || pane.scrollTop) return;
      var at = below(pane, first);
      if (at > pane.clientHeight * 2 / 3) pane.scrollTop += at - pane.clientHeight / 3;
    });
  }

  return { link: link, showFirst: showFirst };
})();
