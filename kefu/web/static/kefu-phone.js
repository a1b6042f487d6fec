// "Log a call" on the ticket page: a running timer that fills in the call's duration and
// start time. Without JavaScript the agent types the duration; the form works the same.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function shown(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h ? h * 60 + m + ":" + pad(s) : m + ":" + pad(s);
  }
  function wire(form) {
    var clock = form.querySelector("[data-call-clock]");
    var start = form.querySelector("[data-call-start]");
    var stop = form.querySelector("[data-call-stop]");
    var duration = form.querySelector("[data-call-duration]");
    var startedAt = form.querySelector("input[name=started_at]");
    var began = null, timer = null;
    function tick() {
      var seconds = Math.max(0, Math.round((Date.now() - began) / 1000));
      clock.textContent = shown(seconds);
      duration.value = shown(seconds);
    }
    function halt() {
      if (timer) { clearInterval(timer); timer = null; tick(); }
      stop.hidden = true; start.hidden = false;
    }
    start.addEventListener("click", function () {
      began = Date.now();
      startedAt.value = new Date(began).toISOString();
      tick();
      timer = setInterval(tick, 1000);
      start.hidden = true; stop.hidden = false; stop.focus();
    });
    stop.addEventListener("click", halt);
    form.addEventListener("submit", function () { if (timer) { halt(); } });
  }
  function init() {
    var forms = document.querySelectorAll("form[data-call-timer]");
    for (var i = 0; i < forms.length; i++) { wire(forms[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
