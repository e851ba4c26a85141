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

  // A field filled from one file or page is replaced by the next one's value, or emptied: a date left over from
  // the previous upload would be sent as the new text's. A field the user typed into is kept.
  function fillFromPage(input, value) {
    if (input.value && !input.dataset.fromPage) return;
    input.value = value || "";
    if (value) input.dataset.fromPage = "1"; else delete input.dataset.fromPage;
  }
  [title, published].forEach(function (input) {
    input.addEventListener("input", function () { delete input.dataset.fromPage; });
  });

  // The page's main text into the text box; its title (unless `name`, an uploaded file's, is given) and date.
  function extract(html, name) {
    return Unspun.api("POST", "/v1/extract", { html: html }).then(function (found) {
      text.value = found.text;
      fillFromPage(title, name || found.title);
      fillFromPage(published, found.published);
      return found;
    });
  }

  // Files that are not text, by their first bytes (as unspun/ingest.py knows them): a PDF or a .docx read as text
  // is noise that matches nothing, and "no source found" would read as a clean result.
  var MAGIC = [["%PDF-", "a PDF document (extract its text first)"],
    ["PK\x03\x04", "a ZIP archive (or a .docx/.odt, which are ZIP archives; extract its text first)"],
    ["\xd0\xcf\x11\xe0", "a legacy Microsoft Office document (.doc)"], ["\x89PNG", "a PNG image"],
    ["\xff\xd8\xff", "a JPEG image"], ["GIF8", "a GIF image"], ["\x1f\x8b", "a gzip archive"]];

  // The file's text as `index` would read it: UTF-8 (or UTF-16 with its byte order mark); other bytes without NULs
  // as Windows-1252, said in `note`; anything else is refused. Reading it as UTF-8 regardless turned every
  // accented letter of a legacy file into U+FFFD and a binary file into noise.
  function decodeFile(buf) {
    var b = new Uint8Array(buf);
    var head = String.fromCharCode.apply(null, Array.from(b.subarray(0, 8)));
    var magic = MAGIC.filter(function (m) { return head.indexOf(m[0]) === 0; })[0];
    if (magic) throw new Error("looks like " + magic[1] + ", not plain text or HTML");
    if (b[0] === 0xff && b[1] === 0xfe) return { text: new TextDecoder("utf-16le").decode(b), note: "" };
    if (b[0] === 0xfe && b[1] === 0xff) return { text: new TextDecoder("utf-16be").decode(b), note: "" };
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(b), note: "" };
    } catch (e) {
      if (b.indexOf(0) !== -1) throw new Error("binary file (contains NUL bytes and is not UTF-8), not plain text");
      var note = " (not UTF-8: read as Windows-1252, check the text)";
      return { text: new TextDecoder("windows-1252").decode(b), note: note };
    }
  }

  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () {
      var read;
      try { read = decodeFile(reader.result); } catch (e) { say(f.name + ": " + e.message, true); return; }
      var content = read.text;
      if (/\.html?$/i.test(f.name) || f.type === "text/html" || looksLikeHtml(content)) {
        say("Extracting the main text of " + f.name + read.note + "\u2026");
        extract(content, f.name).then(
          function () { say("Main text extracted from " + f.name + read.note + "; press Check."); },
          function (e) { say(f.name + ": " + e.message, true); });
      } else {
        fillFromPage(title, f.name);
        fillFromPage(published, null);
        text.value = content;
        say(f.name + " loaded" + read.note + "; press Check.");
      }
    };
    reader.onerror = function () { say(f.name + ": cannot read the file", true); };
    reader.readAsArrayBuffer(f);
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
