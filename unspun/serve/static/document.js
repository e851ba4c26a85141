// A stored document's page: its metadata and text, and its reuse links (the document checked against the
// store, itself excluded).
"use strict";
(function () {
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var prefix = "/documents/";
  var path = location.pathname.slice(location.pathname.indexOf(prefix) + prefix.length);

  function say(msg, isError) {
    status.textContent = msg;
    status.classList.toggle("error", !!isError);
  }

  // Escapes that are not UTF-8 (a mistyped or truncated address) name no document, as the API says of them.
  function decode(p) {
    try { return p.split("/").map(decodeURIComponent).join("/"); } catch (e) { return null; }
  }

  var id = decode(path);
  var store = Unspun.health(document.getElementById("store"));
  if (id === null) {
    say("no document with this id: the id in the address is not UTF-8", true);
    return;
  }
  if (!id) {  // /documents (redirected here) said "no document with id ''": no store holds an empty id
    say("No document named in the address: open one from a check's sources, or go to /documents/ID.", true);
    return;
  }

  function meta(doc) {
    var dl = document.getElementById("doc-meta");
    ["id", "title", "published", "source", "url", "lang"].forEach(function (k) {
      if (doc[k] === null || doc[k] === undefined) return;
      dl.appendChild(Unspun.el("dt", { text: k }));
      dl.appendChild(Unspun.el("dd", { text: String(doc[k]) }));
    });
    dl.appendChild(Unspun.el("dt", { text: "length" }));
    dl.appendChild(Unspun.el("dd", { text: Array.from(doc.text).length.toLocaleString() + " characters" }));
  }

  document.title = "unspun: " + Unspun.printable(id);
  document.getElementById("doc-title").textContent = Unspun.printable(id);
  say("Loading\u2026");
  Unspun.api("GET", Unspun.apiDocPath(id)).then(function (doc) {
    if (doc.title) document.getElementById("doc-title").textContent = Unspun.printable(doc.title);
    meta(doc);
    document.getElementById("doc-text").textContent = doc.text;
    say("Checking against the store\u2026");
    // A text over the server's --max-text is checked by its opening that long (the whole of it was refused, and
    // the page showed a server setting's error for a document the user never sent); offsets hold, from its start.
    return store.then(function (h) {
      var chars = Array.from(doc.text), text = doc.text, cut = "";
      if (h && chars.length > h.max_text) {  // (no answer: the whole text, which the check refuses if it must)
        text = chars.slice(0, h.max_text).join("");
        cut = "Reuse links of its first " + h.max_text.toLocaleString() + " characters of " +
          chars.length.toLocaleString() + ": the most this server checks at once (unspun serve --max-text; " +
          "unspun check --exclude ID checks the whole text).";
      }
      var body = { text: text, title: doc.id, exclude: [doc.id], top: Unspun.TOP };
      if (doc.published) body.published = doc.published;
      // A stored date that is no date (kept as given, with a note, when it was indexed) orders nothing: the check
      // refuses it, so it goes without.
      return Unspun.api("POST", "/v1/check", body).catch(function (err) {
        if (err.status !== 422 || err.fields.indexOf("published") < 0) throw err;
        delete body.published;
        return Unspun.api("POST", "/v1/check", body);
      }).then(function (result) {
        return Unspun.showResult(results, "This document: " + doc.id, text, result).then(function () {
          // Said once, under "Reuse links", in this page's words (the check page's "No source found in the store
          // for this text" stood below the same news in the status line).
          var none = results.querySelector("p.none");
          if (none) none.textContent = "No other stored document shares text with this one.";
          say(cut);
          results.setAttribute("data-done", "1");
        });
      });
    });
  }).catch(function (e) { say(e.message, true); });
})();
