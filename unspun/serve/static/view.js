// Shared by the check page and the document pages: calls to the JSON API and the ranked, side-by-side view of a
// `check` result, its passages linked across the panes by passages.js (the HTML report's script). Every piece of
// document text enters the page through textContent, never innerHTML, so a document containing markup or
// <script> is shown as the text it is.
// Offsets in the API are Unicode code points; JavaScript strings count UTF-16 units, so offsets are converted.
"use strict";
var Unspun = (function () {
  var GOLDEN_ANGLE = 137.508;
  // Sources a page asks for: the API's most (MAX_TOP), so a page lists every source a check verifies, not the
  // first 5 of the API's default, under "5 sources found".
  var TOP = 50;

  // As the reports' printable(): control characters, and those that reorder what follows them on screen, written
  // out, in names, ids, metadata and evidence (an id holding U+202E showed "invoice\u202eslx.txt" as
  // "invoicetxt.xls", and reversed what followed it). Document text, in the panes, is shown as it is.
  var CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
  function printable(s) {
    return String(s).replace(CONTROL, function (c) {
      var n = c.charCodeAt(0);
      return n < 0x100 ? "\\x" + ("0" + n.toString(16)).slice(-2) : "\\u" + n.toString(16);
    });
  }

  // An element; `text` is shown as data (printable), never parsed as markup.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = printable(attrs[k]);
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // The body field a 422's error blames ("published", "exclude.0"), "" for the body as a whole.
  function blamed(e) {
    return (e.loc || []).filter(function (x) { return x !== "body"; }).join(".");
  }

  function reason(payload, status) {
    var d = payload && payload.detail;
    if (Array.isArray(d)) {
      return d.map(function (e) {
        var where = blamed(e);
        var why = e.ctx && e.ctx.error ? ": " + e.ctx.error : "";
        return (where ? where + ": " : "") + e.msg + why;
      }).join("; ");
    }
    return d ? String(d) : "HTTP " + status;
  }

  // JSON in (or a file, a Blob, sent as its bytes), JSON out; a failed call rejects with the server's reason
  // (its status, and for a 422 the fields it blames).
  function api(method, path, body) {
    var init = { method: method, headers: { Accept: "application/json" } };
    if (body instanceof Blob) {
      init.headers["Content-Type"] = "application/octet-stream";
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (payload) {
        if (!r.ok) {
          var err = new Error(reason(payload, r.status));
          err.status = r.status;  // and the body fields a 422 blames, by name
          err.fields = Array.isArray(payload && payload.detail) ? payload.detail.map(blamed) : [];
          throw err;
        }
        return payload;
      });
    });
  }

  // A "." or ".." segment would be resolved away by the browser (a/../b is b): such an id goes as one segment,
  // its slashes escaped; the server decodes %2F as "/".
  function docPath(id) {
    var parts = String(id).split("/");
    if (parts.some(function (s) { return s === "." || s === ".."; })) return "/documents/" + encodeURIComponent(id);
    return "/documents/" + parts.map(encodeURIComponent).join("/");
  }

  function apiDocPath(id) {
    return "/v1" + docPath(id);
  }

  // UTF-16 index of each code-point offset in `cuts` (sorted ascending), in one pass over the text.
  function unitOffsets(text, cuts) {
    var out = {}, cp = 0, i = 0, k = 0;
    while (k < cuts.length) {
      if (cuts[k] <= cp || i >= text.length) { out[cuts[k]] = i; k++; continue; }
      var c = text.charCodeAt(i);
      var d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
      cp++;
    }
    return out;
  }

  function codePoints(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      var prev = i > 0 ? text.charCodeAt(i - 1) : 0;
      if (!(c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff)) n++;
    }
    return n;
  }

  // Cut [0, n) at every span boundary: [lo, hi, ids covering the piece, shortest first] (as report/html.py).
  function segments(n, spans) {
    var set = {};
    set[0] = true; set[n] = true;
    spans.forEach(function (s) { set[Math.min(Math.max(s[0], 0), n)] = true; set[Math.min(Math.max(s[1], 0), n)] = true; });
    var cuts = Object.keys(set).map(Number).sort(function (x, y) { return x - y; });
    var out = [];
    for (var j = 0; j + 1 < cuts.length; j++) {
      var lo = cuts[j], hi = cuts[j + 1], ids = [];
      spans.forEach(function (s, i) { if (s[0] <= lo && hi <= s[1]) ids.push(i); });
      ids.sort(function (x, y) { return (spans[x][1] - spans[x][0]) - (spans[y][1] - spans[y][0]) || x - y; });
      out.push([lo, hi, ids]);
    }
    return { cuts: cuts, pieces: out };
  }

  // One side's text cut at every passage's and inserted run's ends: each piece in the passages over it, or struck
  // through as inserted (`inserted`: runs outside every passage), as report/html.py draws it.
  function pane(side, label, text, spans, hues, inserted, other) {
    var body = el("div", { class: "doc", "data-side": side });
    var seg = segments(codePoints(text), spans.concat(inserted));
    var at = unitOffsets(text, seg.cuts);
    seg.pieces.forEach(function (p) {
      var piece = text.slice(at[p[0]], at[p[1]]);
      var ids = p[2].filter(function (i) { return i < spans.length; });
      if (!p[2].length) { body.appendChild(document.createTextNode(piece)); return; }
      if (!ids.length) {
        body.appendChild(el("span", { class: "ins", title: "inserted: no counterpart in the " + other, text: piece }));
        return;
      }
      var span = el("span", { class: ids.length > 1 ? "p overlap" : "p", "data-p": ids.map(function (i) { return i + 1; }).join(" ") });
      span.textContent = piece;
      span.style.setProperty("--h", hues[ids[0]]);
      body.appendChild(span);
    });
    return el("section", { class: "pane" }, [el("h3", { text: label }), body]);
  }

  // The span on one line, its middle elided past `limit` characters (code points, as report/_common.py counts
  // them: a cut by UTF-16 units could split an emoji in two).
  function excerpt(text, span, limit) {
    var at = unitOffsets(text, [span[0], span[1]]);
    var s = text.slice(at[span[0]], at[span[1]]).split(/\s+/).join(" ").trim();
    var n = codePoints(s);
    if (n <= limit) return s;
    var half = Math.floor((limit - 1) / 2);
    var cut = unitOffsets(s, [half, n - half]);
    return s.slice(0, cut[half]).trimEnd() + "\u2026" + s.slice(cut[n - half]).trimStart();
  }

  // As the reports' percent(): never rounded up to a whole text or down to none.
  function pct(x) {
    var s = (x * 100).toFixed(1);
    if (s === "100.0" && x < 1) return "99.9%";
    if (s === "0.0" && x > 0) return "<0.1%";
    return s + "%";
  }

  function comparison(queryLabel, queryText, source, sourceText) {
    var hues = source.passages.map(function (_, i) { return Math.round((i * GOLDEN_ANGLE % 360) * 10) / 10; });
    var rows = source.passages.map(function (p, i) {
      var sw = el("span", { class: "sw" });
      sw.style.setProperty("--h", hues[i]);
      return el("tr", { "data-go": String(i + 1), tabindex: "0", title: "show this passage on both sides" }, [
        el("td", { class: "num" }, [sw, String(i + 1)]),
        el("td", { text: p.kind }),
        el("td", { class: "num", text: p.similarity.toFixed(2) }),
        el("td", { class: "num", text: p.query[0] + "\u2013" + p.query[1] }),
        el("td", { class: "num", text: p.source[0] + "\u2013" + p.source[1] }),
        el("td", { text: excerpt(queryText, p.query, 80) }),
      ]);
    });
    var head = el("tr", {}, ["#", "kind", "similarity", "checked text", "source", "excerpt"].map(function (h) {
      return el("th", { text: h });
    }));
    var inserted = source.inserted || { query: [], source: [] };
    var list = [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)])];
    if (inserted.query.length || inserted.source.length) {
      list.push(el("p", { class: "legend" }, [el("span", { class: "ins", text: "Text marked so" }),
        " was found inserted into reused text, with no counterpart on the other side (link debris, ads, datelines, " +
        "or whole sentences): the evidence of which side came first counts it."]));
    }
    var view = el("div", { class: "view" }, [
      el("div", { class: "list" }, list),
      el("div", { class: "docs" }, [
        pane("query", queryLabel, queryText, source.passages.map(function (p) { return p.query; }), hues,
          inserted.query, "source"),
        pane("source", "Source: " + source.id, sourceText, source.passages.map(function (p) { return p.source; }), hues,
          inserted.source, "checked text"),
      ]),
    ]);
    Passages.link(view);
    return view;
  }

  // The whole result: the likely original, then each source (best first) with its side-by-side view.
  // `texts` maps source id to its stored text, `failed` to why it could not be fetched (by the caller).
  function renderResult(container, queryLabel, queryText, result, texts, failed) {
    container.textContent = "";
    if (!result.sources.length) {
      container.appendChild(el("p", { class: "none", text: "No source found in the store for this text." }));
      if (result.evidence.length) {  // why none could be (a text too short to hold a passage)
        container.appendChild(el("ul", { class: "none" }, result.evidence.map(function (e) {
          return el("li", { text: printable(e) });
        })));
      }
      return;
    }
    var summary = el("dl", { class: "summary" }, [
      el("dt", { text: "Likely original" }),
      el("dd", {}, [result.original ? el("a", { href: docPath(result.original), text: result.original }) : "undecided"]),
      el("dt", { text: "Evidence" }),
      el("dd", {}, [el("ul", {}, result.evidence.map(function (e) { return el("li", { text: e }); }))]),
    ]);
    container.appendChild(summary);
    var list = el("ol", { class: "sources" });
    result.sources.forEach(function (s, rank) {
      var details = el("details", { class: "detail" });
      if (rank === 0) details.open = true;
      var facts = "score " + s.score.toFixed(3) + " \u00b7 covers " + pct(s.coverage.query) + " of the checked text, " +
        pct(s.coverage.source) + " of the source \u00b7 " + s.passages.length + " passage" + (s.passages.length === 1 ? "" : "s") +
        (s.published ? " \u00b7 published " + s.published : "");
      details.appendChild(el("summary", {}, [
        el("a", { class: "source-id", href: docPath(s.id), text: s.id }),
        el("span", { class: "facts", text: facts }),
      ]));
      if (!(s.id in failed)) {
        var view = comparison(queryLabel, queryText, s, texts[s.id]);
        details.appendChild(view);
        details.addEventListener("toggle", function () { if (details.open) Passages.showFirst(view); });
      } else {
        details.appendChild(el("p", { class: "error", text: "source text unavailable: " + failed[s.id] }));
      }
      list.appendChild(el("li", { class: "source", "data-id": s.id, "data-rank": String(rank + 1) }, [details]));
    });
    container.appendChild(list);
  }

  // Fetch each source's text, then render; a source deleted meanwhile is reported in place, not fatal (its error
  // was drawn as its text, with the passages marked in it), and so is one replaced since the check (its digest
  // differs): the passages' offsets are those of the text checked, and were drawn on the new one (QA).
  function showResult(container, queryLabel, queryText, result) {
    var texts = Object.create(null), failed = Object.create(null);  // (no "constructor" an id may be)
    return Promise.all(result.sources.map(function (s) {
      return api("GET", apiDocPath(s.id)).then(function (d) {
        if (s.digest && d.digest !== s.digest) {
          failed[s.id] = "its text in the store has changed since this check (replaced): press Check to check again";
        } else {
          texts[s.id] = d.text;
        }
      }, function (e) { failed[s.id] = e.message; });
    })).then(function () { renderResult(container, queryLabel, queryText, result, texts, failed); });
  }

  // The store's size in `target`; the answer (null when there is none) for a page that needs more of it.
  function health(target) {
    return api("GET", "/v1/health").then(function (h) {
      // Passages without a saved vector are found by no check by meaning (a translation of them): said, not hidden.
      var waiting = h.unembedded ? " \u00b7 " + h.unembedded.toLocaleString() + " passage" +
        (h.unembedded === 1 ? "" : "s") + " not yet searchable by meaning" : "";
      target.textContent = h.documents.toLocaleString() + " documents" + (h.writable ? "" : " \u00b7 read-only") +
        waiting;
      return h;
    }, function () { target.textContent = ""; return null; });
  }

  return { el: el, printable: printable, api: api, docPath: docPath, apiDocPath: apiDocPath, showResult: showResult, health: health, TOP: TOP };
})();
