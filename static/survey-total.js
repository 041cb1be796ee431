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
    var unitBox = box.querySelector("[data-alloc-unit]");
    var unit = unitBox.textContent.trim();
    // Points in the page's plural forms, written by the server ("# point", "# Punkte"):
    // one for exactly 1, the other for every other number, fractions included (as
    // i18n.plural_count says them on the server).
    var forms = unitBox.dataset.one ? { one: unitBox.dataset.one, other: unitBox.dataset.other } : null;
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
      if (money) {
        shown.textContent = money.format(sum);
      } else if (forms) {
        shown.textContent = (sum === 1 ? forms.one : forms.other).replace("#", number.format(sum));
      } else {
        shown.textContent = number.format(sum) + " " + unit;
      }
      box.classList.toggle("over", sum > total);
      box.classList.toggle("exact", sum === total);
    }
    form.addEventListener("input", update);
    update();
  });
})();
