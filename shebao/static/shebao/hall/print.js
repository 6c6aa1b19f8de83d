// A button with data-print prints the page (the ticket slip's print styles hide the rest).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
