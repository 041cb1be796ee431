// Live progress on a job page (templates/jobs/show.html). Without JavaScript the page's
// <noscript> meta refresh reloads it; with it, this polls the job's status and reloads once it has finished.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.dataset.statusUrl;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        document.getElementById("job-status").textContent = data.status_label;
        document.getElementById("job-progress").value = data.progress;
        document.getElementById("job-percent").textContent = data.progress + " %";
        document.getElementById("job-message").textContent = data.message || "";
        if (data.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
