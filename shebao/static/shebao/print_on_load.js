// A receipt opens the print dialog as soon as it has loaded.
window.addEventListener("load", function () { window.print(); });
