// Polls a background job's progress (templates/core/job.html) and reloads the page when it ends.
(function () {
  "use strict";
  function poll(box) {
    fetch(box.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        var bar = box.querySelector("[data-job-bar]");
        bar.max = s.total || 1;
        bar.value = s.done;
        box.querySelector("[data-job-label]").textContent = s.label;
        box.querySelector("[data-job-count]").textContent = s.total ? s.done + " / " + s.total : "";
        box.querySelector("[data-job-message]").textContent = s.message || "";
        box.querySelector("[data-job-noworker]").classList.toggle("d-none", !!s.worker);
        if (s.finished) { window.location.reload(); } else { window.setTimeout(function () { poll(box); }, 1000); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll("[data-job-url]").forEach(poll);
})();
