// The countdown of a timed part (the server enforces the limit; this only shows it) and
// number keys 1-9 for the answer buttons.
"use strict";
(function () {
  var clock = document.getElementById("countdown");
  if (clock) {
    var left = parseFloat(clock.dataset.seconds);
    var rate = parseFloat(clock.dataset.rate) || 1;
    var began = Date.now();
    var tick = function () {
      var seconds = Math.max(0, left - ((Date.now() - began) / 1000) * rate);
      var whole = Math.ceil(seconds);
      clock.textContent = Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
      if (seconds <= 0) {
        window.location.replace("/item");
      } else {
        window.setTimeout(tick, 250);
      }
    };
    tick();
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target && /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) return;
    var button = document.querySelector('button[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
