// Live running total of allocation questions (templates/surveys/_sheet.html). Without
// JavaScript the "Check the total" button asks the server for the same numbers. No inline
// script: the CSP allows scripts from this site only.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 4 });
  document.querySelectorAll("[data-alloc-total]").forEach(function (box) {
    var form = box.closest("form");
    var key = box.dataset.allocTotal;
    var total = parseFloat(box.dataset.total);
    var shown = box.querySelector("[data-alloc-sum]");
    var unit = box.querySelector("[data-alloc-unit]").textContent.trim();
    // Money as the server writes it ("1.000,00 €", "€1,000.00"), not "1000 EUR".
    var money = box.dataset.currency
      ? new Intl.NumberFormat(lang, { style: "currency", currency: box.dataset.currency })
      : null;
    var button = box.parentNode.querySelector("[data-alloc-button]");
    if (button) { button.hidden = true; }
    function update() {
      // Hundredths of a unit as integers: 2.5 + 0.1 adds up exactly.
      var sum = 0;
      form.querySelectorAll("input[data-alloc='" + key + "']").forEach(function (input) {
        var value = parseFloat((input.value || "").replace(",", "."));
        if (isFinite(value) && value > 0) { sum += Math.round(value * 10000); }
      });
      sum = sum / 10000;
      shown.textContent = money ? money.format(sum) : number.format(sum) + " " + unit;
      box.classList.toggle("over", sum > total);
      box.classList.toggle("exact", sum === total);
    }
    form.addEventListener("input", update);
    update();
  });
})();
