// The calling board: htmx swaps the calls every two seconds; when the newest call changes
// (a new ticket or a recall), the board flashes it and says it aloud if the voice is on.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  var voiceButton = document.querySelector("[data-enable-voice]");
  var clock = document.querySelector("[data-clock]");
  var voiceOn = false;
  var lastStamp = stampOf(board);

  function stampOf(root) {
    var now = root && root.querySelector("[data-stamp]");
    return now ? now.getAttribute("data-stamp") : "";
  }

  function speak(text) {
    if (!voiceOn || !text || !("speechSynthesis" in window)) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
    // Twice, as halls do: the first time people look up, the second time they listen.
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }

  function announce() {
    var now = board.querySelector("[data-stamp]");
    var stamp = stampOf(board);
    if (!now || stamp === lastStamp) return;
    lastStamp = stamp;
    now.classList.remove("flash");
    void now.offsetWidth; // restart the animation
    now.classList.add("flash");
    board.setAttribute("data-announced", stamp);
    speak(now.getAttribute("data-speak"));
  }

  document.body.addEventListener("htmx:afterSwap", announce);

  if (voiceButton) {
    // Browsers let a page speak only after a touch: the hall staff turn the voice on once.
    voiceButton.addEventListener("click", function () {
      voiceOn = true;
      voiceButton.hidden = true;
      speak("叫号语音已开启");
    });
  }

  function tick() {
    if (!clock) return;
    var d = new Date();
    clock.textContent = d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 10000);
})();
