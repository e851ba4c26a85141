// The check page: read the text (pasted, or a .txt/.html file; HTML goes through /v1/extract first),
// POST it to /v1/check and show the ranked sources side by side.
"use strict";
(function () {
  var form = document.getElementById("check-form");
  var text = document.getElementById("text");
  var title = document.getElementById("title");
  var published = document.getElementById("published");
  var file = document.getElementById("file");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var button = document.getElementById("check");

  function say(msg, isError) {
    status.textContent = msg;
    status.classList.toggle("error", !!isError);
  }

  function looksLikeHtml(s) {
    return /^\s*(<!doctype html|<html[\s>])/i.test(s);
  }

  function extract(html) {
    return Unspun.api("POST", "/v1/extract", { html: html }).then(function (found) {
      text.value = found.text;
      if (found.title && !title.value) title.value = found.title;
      if (found.published && !published.value) published.value = found.published;
      return found;
    });
  }

  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () {
      var content = String(reader.result);
      title.value = f.name;
      if (/\.html?$/i.test(f.name) || f.type === "text/html" || looksLikeHtml(content)) {
        say("Extracting the main text of " + f.name + "\u2026");
        extract(content).then(function () { say("Main text extracted from " + f.name + "; press Check."); },
          function (e) { say(f.name + ": " + e.message, true); });
      } else {
        text.value = content;
        say(f.name + " loaded; press Check.");
      }
    };
    reader.onerror = function () { say(f.name + ": cannot read the file", true); };
    reader.readAsText(f);
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!text.value.trim()) { say("Paste or upload a text first.", true); return; }
    button.disabled = true;
    results.textContent = "";
    var ready = looksLikeHtml(text.value) ? extract(text.value) : Promise.resolve();
    say("Checking\u2026");
    ready.then(function () {
      var body = { text: text.value, top: Unspun.TOP };
      if (title.value.trim()) body.title = title.value.trim();
      if (published.value.trim()) body.published = published.value.trim();
      var started = performance.now();
      return Unspun.api("POST", "/v1/check", body).then(function (result) {
        var secs = ((performance.now() - started) / 1000).toFixed(1);
        return Unspun.showResult(results, "Checked text" + (body.title ? ": " + body.title : ""), body.text, result)
          .then(function () {
            say(result.sources.length + " source" + (result.sources.length === 1 ? "" : "s") + " found in " + secs + " s.");
            results.setAttribute("data-done", "1");
          });
      });
    }).catch(function (err) { say(err.message, true); })
      .then(function () { button.disabled = false; });
  });

  Unspun.health(document.getElementById("store"));
})();
