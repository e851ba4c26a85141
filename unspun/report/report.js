// Link each passage's pieces across the two sides: hover lights them up; click pins them and scrolls to them.
// Panes are scrolled directly: two smooth scrollIntoView calls at once cancel each other in some browsers.
(function () {
  var panes = { a: document.getElementById("doc-a"), b: document.getElementById("doc-b") };
  var pinned = null;
  // Each pane starts at its first passage: a long text's first screen may hold none, and a pane with no marked
  // passage in sight reads as "nothing reused here".
  ["a", "b"].forEach(function (side) {
    var pane = panes[side], first = pane.querySelector(".p");
    if (first && first.offsetTop > pane.clientHeight * 2 / 3) pane.scrollTop = first.offsetTop - pane.clientHeight / 3;
  });
  function pieces(id) {
    return document.querySelectorAll('.doc [data-p~="' + id + '"]');
  }
  function mark(ids, cls, on) {
    ids.forEach(function (id) {
      pieces(id).forEach(function (el) { el.classList.toggle(cls, on); });
    });
  }
  function reveal(side, id) {
    var pane = panes[side];
    var el = pane.querySelector('[data-p~="' + id + '"]') || document.getElementById(side + "-p" + id);
    if (el) pane.scrollTo({ top: el.offsetTop - pane.clientHeight / 3, behavior: "smooth" });
  }
  function select(id, except) {
    if (pinned) mark([pinned], "sel", false);
    pinned = id;
    mark([id], "sel", true);
    ["a", "b"].forEach(function (side) { if (side !== except) reveal(side, id); });
  }
  function piece(e) {
    return e.target.closest ? e.target.closest(".doc .p") : null;
  }
  function ids(el) {
    return el.getAttribute("data-p").split(" ");
  }
  document.addEventListener("mouseover", function (e) {
    var el = piece(e);
    if (el) mark(ids(el), "on", true);
  });
  document.addEventListener("mouseout", function (e) {
    var el = piece(e);
    if (el) mark(ids(el), "on", false);
  });
  document.addEventListener("click", function (e) {
    var el = piece(e);
    if (el) {
      select(ids(el)[0], el.closest(".doc").id.slice(4));
      return;
    }
    var link = e.target.closest && e.target.closest("a[data-go]");
    if (!link) return;
    e.preventDefault();
    document.querySelector(".docs").scrollIntoView({ block: "nearest", behavior: "smooth" });
    select(link.getAttribute("data-go"), null);
  });
})();
