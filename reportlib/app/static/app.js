// The officer's page works without this script; it adds only: focus on the error summary (or on what the
// check found) when the page comes back, and, while "Make the paper" runs, how far it has got.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary") || document.getElementById("checked-title");
  if (summary) { summary.focus(); }

  var form = document.getElementById("paper-form");
  var box = document.getElementById("progress");
  if (!form || !box) { return; }
  var text = document.getElementById("progress-text");
  var bar = document.getElementById("progress-bar");
  var said = "";

  function say(words) { if (words !== said) { text.textContent = words; said = words; } }

  function poll() {
    fetch("/progress", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (p.state === "running" && p.steps) {
          bar.max = p.steps; bar.value = p.step;
          say("Running the report: step " + p.step + " of " + p.steps);
        } else if (p.state === "writing") {
          bar.max = p.steps || 1; bar.value = bar.max;
          say("Writing the files");
        } else if (p.state === "starting" || p.state === "running") {
          say("Reading the case log");
        }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 500); });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || submitter.value !== "make") { return; }
    box.hidden = false;
    say("Starting");
    window.setTimeout(poll, 300);
  });
})();
