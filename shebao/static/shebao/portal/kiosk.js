// Kiosk mode: the on-screen keypad, and the idle sign-out. The server ends an idle visit too,
// whatever this timer did; this only makes it visible and immediate.
(function () {
  "use strict";

  function wireKeypad(pad) {
    var input = document.getElementById(pad.dataset.keypadFor);
    if (!input) { return; }
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = input.value;
      var max = input.maxLength > 0 ? input.maxLength : 99;
      if (key.dataset.key === "back") { value = value.slice(0, -1); }
      else if (key.dataset.key === "clear") { value = ""; }
      else if (value.length < max) { value += key.dataset.key; }
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function idleSignOut() {
    var body = document.body;
    var limit = parseInt(body.dataset.idleSeconds || "60", 10);
    if (body.dataset.visitor !== "1" || !limit) { return; }
    var warnFor = Math.min(10, Math.max(1, Math.floor(limit / 3)));
    var overlay = document.getElementById("kiosk-idle-overlay");
    var count = document.getElementById("kiosk-idle-count");
    var form = document.getElementById("kiosk-sign-out");
    var last = Date.now();
    function touched() {
      last = Date.now();
      if (overlay) { overlay.classList.add("d-none"); }
    }
    ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, touched, { passive: true, capture: true });
    });
    window.setInterval(function () {
      var left = limit - Math.floor((Date.now() - last) / 1000);
      if (left <= 0) {
        if (form) { form.submit(); } else { window.location.href = body.dataset.homeUrl; }
      } else if (left <= warnFor && overlay) {
        overlay.classList.remove("d-none");
        count.textContent = String(left);
      }
    }, 250);
  }

  document.querySelectorAll(".kiosk-keypad").forEach(wireKeypad);
  idleSignOut();
})();
