// Printed or saved as PDF, a report shows every text whole: `html.printing` (report.css) lets the panes and the
// passage list grow to their content, where their own scrolling kept most of each text off the page. A page of
// embedded reports (`check`) makes each one so, at the width it will print at, and as tall as it then is: an
// iframe prints only the window it shows. Set at beforeprint, taken away at afterprint.
"use strict";
(function () {
  // An A4 or Letter page's printable width, near enough: each embedded report is measured at it, and printed at it.
  var WIDTH = "680px";

  function printing(doc, on) {
    doc.documentElement.classList.toggle("printing", on);
  }

  addEventListener("beforeprint", function () {
    printing(document, true);
    document.querySelectorAll("iframe").forEach(function (f) {
      var d = f.contentDocument;
      if (!d) return;
      printing(d, true);
      f.style.width = WIDTH;
      f.style.height = d.documentElement.scrollHeight + "px";
    });
  });
  addEventListener("afterprint", function () {
    printing(document, false);
    document.querySelectorAll("iframe").forEach(function (f) {
      if (f.contentDocument) printing(f.contentDocument, false);
      f.style.width = f.style.height = "";
    });
  });
})();
