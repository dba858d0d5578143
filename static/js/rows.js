// Structured editors (civic.core.rows): add and remove rows in place. Without JavaScript the
// same buttons send the form back and the server adds or removes the row, keeping what was
// typed; here the page does it at once. Loaded once per editor, so it guards against twice.
(function () {
  "use strict";
  if (window.civicRows) {
    return;
  }
  window.civicRows = true;

  function indexOf(row, prefix) {
    var named = row.querySelector("[name^='" + prefix + "-']");
    var found = named ? named.name.slice(prefix.length + 1).split("-")[0] : "0";
    return parseInt(found, 10) || 0;
  }

  function renumber(row, prefix, from, to) {
    var old = prefix + "-" + from + "-";
    var now = prefix + "-" + to + "-";
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        var value = el.getAttribute(attribute);
        if (value && value.indexOf(old) !== -1) {
          el.setAttribute(attribute, value.split(old).join(now));
        }
      });
    });
    var remove = row.querySelector("[data-row-remove]");
    if (remove) {
      remove.value = "remove:" + prefix + "-" + to;
    }
  }

  function clear(row) {
    row.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = false;
      } else {
        input.value = "";
      }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".invalid-feedback").forEach(function (note) {
      note.remove();
    });
  }

  function numberLabels(list) {
    list.querySelectorAll("[data-row]").forEach(function (row, n) {
      var hint = row.querySelector("[data-row-remove] .visually-hidden");
      if (hint) {
        hint.textContent = hint.textContent.replace(/\d+/, String(n + 1));
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[name='rows']");
    var editor = button && button.closest("[data-rows]");
    if (!editor) {
      return;
    }
    event.preventDefault();
    var prefix = editor.getAttribute("data-rows");
    var list = editor.querySelector(".civic-rows-list");
    var rows = list.querySelectorAll("[data-row]");
    if (button.hasAttribute("data-row-add")) {
      if (rows.length >= parseInt(editor.getAttribute("data-max"), 10)) {
        return;
      }
      var last = rows[rows.length - 1];
      var highest = 0;
      rows.forEach(function (row) {
        highest = Math.max(highest, indexOf(row, prefix));
      });
      var copy = last.cloneNode(true);
      renumber(copy, prefix, indexOf(last, prefix), highest + 1);
      clear(copy);
      list.appendChild(copy);
      numberLabels(list);
      var first = copy.querySelector("input:not([type='hidden']), textarea, select");
      if (first) {
        first.focus();
      }
      return;
    }
    var row = button.closest("[data-row]");
    if (rows.length > 1) {
      row.remove();
      numberLabels(list);
    } else {
      clear(row);
    }
    editor.querySelector("[data-row-add]").focus();
  });
})();
