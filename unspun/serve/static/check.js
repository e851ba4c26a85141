// The check page: read the text (pasted, or a .txt/.html file read by /v1/read; HTML goes through /v1/extract),
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
  [text, title, published].forEach(function (input) {
    input.addEventListener("input", function () { delete input.dataset.fromPage; });
  });
  // A text put in place of the whole of the last page's (all of it selected, or the box emptied) is another text:
  // the page's title and date are not its own (they were sent with it, and the date chose the original). An edit
  // of the page's text keeps them.
  var replacing = false;
  text.addEventListener("beforeinput", function () {
    replacing = text.value.length > 0 && text.selectionStart === 0 && text.selectionEnd === text.value.length;
  });
  text.addEventListener("input", function () {
    if (replacing || !text.value) {
      [title, published].forEach(function (input) { if (input.dataset.fromPage) fillFromPage(input, null); });
    }
    // ...and a text put in place of one whose check is shown is another text, even where its title and date were
    // typed: they were sent with it (QA: a restored check's date chose the original of the text pasted over it).
    if (replacing && results.hasAttribute("data-done")) {
      [title, published].forEach(function (input) { input.value = ""; delete input.dataset.fromPage; });
    }
    replacing = false;
  });

  // The text box holds what the last file or page gave it: a file refused next must not leave it there, under
  // the new file's name, to be checked as if it were that file. Typed or pasted text is kept.
  function fillText(value) {
    if (text.value && !text.dataset.fromPage && !value) return;
    text.value = value || "";
    if (value) text.dataset.fromPage = "1"; else delete text.dataset.fromPage;
    exact = null;
  }

  // A file's text as read, which the text box shows with its line endings made \n: checked as read while the box
  // holds it unedited, so offsets and lengths are the file's, as `unspun check FILE` gives them (they were not).
  var exact = null;
  function fillFile(value) {
    fillText(value);
    exact = { shown: text.value, text: value };
  }

  // The page's main text into the text box; its title (unless `name`, an uploaded file's, is given) and date.
  function extract(html, name) {
    return Unspun.api("POST", "/v1/extract", { html: html }).then(function (found) {
      fillText(found.text);
      fillFromPage(title, name || found.title);
      fillFromPage(published, found.published);
      return found;
    });
  }

  // The file's text as `index` reads files (/v1/read, unspun.ingest): UTF-8, or another encoding it names in
  // `note`; a file that is not text is refused with what it looks like ("no source found" for a PDF read as
  // noise would read as a clean result).
  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) return;
    say("Reading " + f.name + "\u2026");
    Unspun.api("POST", "/v1/read?name=" + encodeURIComponent(f.name), f).then(function (read) {
      var content = read.text, note = read.note ? " (" + read.note + ")" : "";
      if (/\.html?$/i.test(f.name) || f.type === "text/html" || looksLikeHtml(content)) {
        say("Extracting the main text of " + f.name + note + "\u2026");
        return extract(content, f.name).then(function () {
          say("Main text extracted from " + f.name + note + "; press Check.");
        });
      }
      fillFromPage(title, f.name);
      fillFromPage(published, null);
      fillFile(content);
      say(f.name + " loaded" + note + "; press Check.");
    }).catch(function (e) {
      fillText(null);
      fillFromPage(title, null);
      fillFromPage(published, null);
      say(e.message.indexOf(f.name) === 0 ? e.message : f.name + ": " + e.message, true);
    });
  });

  // The last check, kept for this tab: Back from a source's page came to an empty form (its text, pasted once,
  // was lost with the results). Restored as it was; Check runs it again.
  var KEPT = "unspun.check";
  // The form as it was when the check was sent (`form`), not as it is when the answer comes: an edit meanwhile
  // came back beside the answer to the text before it, and Check then sent that text (review).
  function formNow() {
    return { shown: text.value, title: title.value, published: published.value,
             fromPage: [text, title, published].map(function (input) { return !!input.dataset.fromPage; }) };
  }
  // A check sent is kept without its answer until the answer comes (`body` and `result` null): reloaded meanwhile,
  // the page showed the check before it, that text and its sources, and the text sent was lost (QA).
  function keep(form, body, result) {
    try {
      sessionStorage.setItem(KEPT, JSON.stringify({
        shown: form.shown, title: form.title, published: form.published, body: body, result: result,
        fromPage: form.fromPage
      }));
    } catch (e) {  // over the browser's quota (a text of megabytes): nothing kept, nothing lost but that
      try { sessionStorage.removeItem(KEPT); } catch (ignored) { /* storage disabled */ }
    }
  }

  function show(body, result, done) {
    return Unspun.showResult(results, "Checked text" + (body.title ? ": " + body.title : ""), body.text, result)
      .then(function () {
        var n = result.sources.length;
        // As many as the page asks for: there may be more, and "50 sources found" read as all of them.
        say(n >= Unspun.TOP ? "The " + n + " best sources shown (a page asks for " + Unspun.TOP + "; there may " +
          "be more: unspun check --top N lists them), " + done + "." :
          n + " source" + (n === 1 ? "" : "s") + " found " + done + ".");
        results.setAttribute("data-done", "1");
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!text.value.trim()) { say("Paste or upload a text first.", true); return; }
    button.disabled = true;
    results.textContent = "";
    results.removeAttribute("data-done");
    var ready = looksLikeHtml(text.value) ? extract(text.value) : Promise.resolve();
    say("Checking\u2026");
    ready.then(function () {
      var body = { text: exact && exact.shown === text.value ? exact.text : text.value, top: Unspun.TOP };
      if (title.value.trim()) body.title = title.value.trim();
      if (published.value.trim()) body.published = published.value.trim();
      var started = performance.now(), sent = formNow();
      keep(sent, null, null);
      if (history.state && history.state.fresh) history.replaceState(null, "", "/");  // reloaded, shows this one
      return Unspun.api("POST", "/v1/check", body).then(function (result) {
        keep(sent, body, result);
        return show(body, result, "in " + ((performance.now() - started) / 1000).toFixed(1) + " s");
      });
    }).catch(function (err) { say(err.message, true); })
      .then(function () {
        button.disabled = false;
        // Disabled while it had focus, the button lost it to the page: a keyboard user started again from the top.
        if (document.activeElement === document.body) button.focus();
      });
  });

  // "Check a text" (/?new) is an empty form, also when reloaded, not the last check (its typed title and date stayed
  // for the next text: QA); Back still finds that check where it was.
  var kept = null;
  if (location.search === "?new") history.replaceState({ fresh: true }, "", "/");
  var fresh = !!(history.state && history.state.fresh);
  if (!fresh) {
    try { kept = JSON.parse(sessionStorage.getItem(KEPT)); } catch (e) { /* none, or storage disabled */ }
  }
  if (kept) {
    [text, title, published].forEach(function (input, i) {
      input.value = kept[input.id === "text" ? "shown" : input.id];
      if (kept.fromPage && kept.fromPage[i]) input.dataset.fromPage = "1";
    });
  }
  if (kept && !kept.result) {
    say("The last check did not finish (the page was left or reloaded while it ran): press Check to run it.");
  } else if (kept && kept.body) {
    if (kept.body.text !== kept.shown) exact = { shown: text.value, text: kept.body.text };  // a file, as read
    button.disabled = true;  // (until it is shown: a new check's results must not be drawn over by it)
    say("Showing the last check\u2026");
    show(kept.body, kept.result, "by the last check (press Check to run it again)")
      .catch(function (err) { say(err.message, true); })
      .then(function () { button.disabled = false; });
  }

  Unspun.health(document.getElementById("store"));
})();
