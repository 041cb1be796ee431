// Live running total of the ballot sheet (templates/voting/_total.html). Without JavaScript the
// "Update total" button asks the server for the same numbers. No inline script: the CSP
// allows scripts from this site only.
(function () {
  "use strict";
  var box = document.getElementById("ballot-total");
  if (!box) { return; }
  var form = box.closest("form");
  var lang = document.documentElement.lang || "en";
  var money = new Intl.NumberFormat(lang, { style: "currency", currency: box.dataset.currency });
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  function amount(input) {
    if (input.type === "checkbox") { return input.checked ? 1 : 0; }
    var value = parseFloat((input.value || "").replace(",", "."));
    return isFinite(value) && value > 0 ? value : 0;
  }

  function update() {
    var points = 0;
    box.querySelectorAll("[data-total-section]").forEach(function (line) {
      var key = line.dataset.totalSection;
      var cents = 0;
      form.querySelectorAll("input[data-section='" + key + "']").forEach(function (input) {
        var chosen = amount(input);
        if (chosen > 0) { cents += parseInt(input.dataset.net, 10); points += chosen; }
      });
      line.querySelector("[data-total-amount]").textContent = money.format(cents / 100);
      line.querySelector("[data-total-over]").hidden = cents <= parseInt(line.dataset.budget, 10);
    });
    var shown = box.querySelector("[data-total-points]");
    if (shown) { shown.textContent = number.format(points); }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  var button = box.querySelector("[data-total-button]");
  if (button) { button.hidden = true; }
  update();
})();
