// Maps for proposals, with Leaflet. Points come from data attributes (no inline script: CSP).
// Tiles are optional: without a tile URL, or when tiles cannot load, the map still shows the
// points and still lets a person pick a place; the coordinates are also plain form fields.
(function () {
  "use strict";
  if (typeof L === "undefined") {
    return;
  }
  var MILAN = [45.4642, 9.19];

  // The Municipi's outlines staff uploaded, fetched from places.views.outlines (pages do not
  // carry them: they are large and the same on many pages, so the browser caches them once).
  function drawOutlines(map, url, frame) {
    if (!url || typeof fetch === "undefined") {
      return;
    }
    fetch(url, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : []; })
      .then(function (outlines) {
        if (outlines.length && frame) {
          map.removeLayer(frame);
        }
        outlines.forEach(function (area) {
          L.geoJSON(area.outline, {
            style: { color: "#0066cc", weight: 2, fill: false },
            interactive: false
          }).addTo(map);
        });
      })
      .catch(function () { /* the map works without them */ });
  }

  function makeMap(element) {
    var map = L.map(element, { scrollWheelZoom: false }).setView(MILAN, 12);
    var tiles = element.getAttribute("data-tiles");
    var frame = null;
    if (tiles) {
      // The credit is text from the settings: Leaflet writes it as HTML, so it is escaped here.
      var credit = document.createElement("span");
      credit.textContent = element.getAttribute("data-attribution") || "";
      L.tileLayer(tiles, { maxZoom: 19, attribution: credit.innerHTML }).addTo(map);
    } else {
      // A frame of the city so an empty map still has a sense of place.
      frame = L.rectangle([[45.386, 9.04], [45.536, 9.278]], { color: "#0066cc", weight: 1, fill: false }).addTo(map);
    }
    drawOutlines(map, element.getAttribute("data-outlines-url"), frame);
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function showPoints(element) {
    var points = JSON.parse(element.getAttribute("data-points") || "[]");
    var map = makeMap(element);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], { radius: 8, color: "#0066cc", fillOpacity: 0.7 }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url || "/proposte/" + p.id;
      link.textContent = p.title;
      marker.bindPopup(link);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 15);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20] });
    }
  }

  function pickPoint(element) {
    var lat = document.getElementById(element.getAttribute("data-lat-field"));
    var lon = document.getElementById(element.getAttribute("data-lon-field"));
    var map = makeMap(element);
    var marker = null;
    function place(latlng, pan) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng).addTo(map);
      }
      if (pan) {
        map.setView(latlng, 15);
      }
    }
    if (lat.value && lon.value) {
      place([parseFloat(lat.value), parseFloat(lon.value)], true);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      place(event.latlng, false);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        if (lat.value && lon.value) {
          place([parseFloat(lat.value), parseFloat(lon.value)], true);
        }
      });
    });
  }

  document.querySelectorAll("[data-points]").forEach(showPoints);
  document.querySelectorAll("[data-lat-field]").forEach(pickPoint);
})();
