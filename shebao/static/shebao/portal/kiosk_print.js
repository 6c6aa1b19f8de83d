// The certificate page's print button prints the PDF in its frame (or the page, when the
// browser's PDF viewer refuses); a file, not inline script, for the Content Security Policy.
(function () {
  "use strict";
  var button = document.getElementById("kiosk-pdf-print");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var frame = document.getElementById("kiosk-pdf");
    try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (error) { window.print(); }
  });
})();
