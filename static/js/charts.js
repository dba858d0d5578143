// Dashboard charts with Chart.js, drawn from the data tables beside them (no inline script: CSP).
// The tables stay on the page: they are the accessible version of each chart, and without
// JavaScript they are all there is.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  // Bootstrap Italia's primary blue, a dark green and an orange-brown: distinct for the common
  // colour-vision deficiencies, each at 3:1 or more against white.
  var COLOURS = ["#0066cc", "#00703c", "#a64d00"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var locale = document.documentElement.lang || "it";

  function readTable(table) {
    var heads = table.querySelectorAll("thead th");
    var series = [];
    for (var i = 1; i < heads.length; i++) {
      series.push({ label: heads[i].textContent.trim(), data: [] });
    }
    var labels = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      labels.push(row.querySelector("th").textContent.trim());
      row.querySelectorAll("td").forEach(function (cell, index) {
        series[index].data.push(parseFloat(cell.getAttribute("data-value")) || 0);
      });
    });
    return { labels: labels, series: series };
  }

  function draw(table) {
    var holder = document.querySelector('[data-chart-for="' + table.id + '"]');
    if (!holder) {
      return;
    }
    var found = readTable(table);
    var money = table.getAttribute("data-money") === "yes";
    var format = new Intl.NumberFormat(locale, money ? { style: "currency", currency: "EUR", maximumFractionDigits: 0 } : {});
    var canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    holder.appendChild(canvas);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: found.labels,
        datasets: found.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: COLOURS[i % COLOURS.length] };
        })
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return format.format(v); } } } },
        plugins: {
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + format.format(c.parsed.y); } } }
        }
      }
    });
    holder.classList.add("civic-chart-drawn");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  });
})();
