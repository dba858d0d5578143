// Running totals beside the ballot as the voter chooses. Without JavaScript the page still
// works: "Update the totals" sends the ballot back and the server counts it.
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form) {
    return;
  }
  var kind = form.getAttribute("data-kind");
  var english = document.documentElement.lang === "en";
  var number = new Intl.NumberFormat(english ? "en-GB" : "it-IT", {
    minimumFractionDigits: 2, maximumFractionDigits: 2
  });
  function euro(cents) {  // as the server writes it: "€ 1.234,50", or "€1,234.50" in English
    return (english ? "€" : "€ ") + number.format(cents / 100);
  }
  function update() {
    var count = 0, cost = 0, points = 0;
    form.querySelectorAll("[data-cost]").forEach(function (input) {
      var ticked = input.type === "checkbox" || input.type === "radio";
      var value = ticked ? (input.checked ? 1 : 0) : parseInt(input.value || "0", 10) || 0;
      if (value > 0) {
        count += 1;
        cost += parseInt(input.getAttribute("data-cost"), 10);
        points += value;
      }
    });
    document.getElementById("running-count").textContent = String(count);
    document.getElementById("running-cost").textContent = euro(cost);
    var pointsNode = document.getElementById("running-points");
    if (pointsNode && kind === "cumulative") {
      pointsNode.textContent = String(points);
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
})();
