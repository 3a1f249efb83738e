"use strict";
// The keyboard alternative to dragging (themes/ordering.py): an "omhoog" and an "omlaag" button per
// row of a sortable inline. A move renumbers the hidden order fields 1, 2, 3… in the order shown,
// as django-admin-sortable2 does after a drag, so saving the page stores the new order.
// A fieldset without order fields (read-only) loses its "sortable" class before
// adminsortable2.js (which starts on "load") looks for it: nothing can be dragged there.
(function () {
  const ROWS = "tr.has_original, .inline-related.has_original";

  function rows(fieldset) {
    return Array.from(fieldset.querySelectorAll(ROWS)).filter((row) => row.querySelector("input._reorder_"));
  }

  function renumber(fieldset) {
    rows(fieldset).forEach((row, index) => {
      row.querySelector("input._reorder_").value = String(index + 1);
    });
  }

  function labelOf(row) {
    const label = row.querySelector(".inline_label") || row.querySelector("td.original p");
    const text = label ? label.textContent.replace(/\s+/g, " ").trim() : "";
    return text || "rij";
  }

  function button(direction, row) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "kib-move kib-move-" + direction;
    element.dataset.direction = direction;
    element.textContent = direction === "up" ? "omhoog" : "omlaag";
    element.setAttribute("aria-label", (direction === "up" ? "Omhoog: " : "Omlaag: ") + labelOf(row));
    return element;
  }

  function move(fieldset, row, direction, status) {
    const list = rows(fieldset);
    const index = list.indexOf(row);
    const other = list[direction === "up" ? index - 1 : index + 1];
    if (index === -1 || !other) {
      status.textContent = direction === "up" ? "Staat al bovenaan." : "Staat al onderaan.";
      return;
    }
    if (direction === "up") {
      other.before(row);
    } else {
      other.after(row);
    }
    renumber(fieldset);
    status.textContent = labelOf(row) + ": nu " + (rows(fieldset).indexOf(row) + 1) + " van " + list.length + ".";
  }

  function setUp(fieldset) {
    const list = rows(fieldset);
    if (!list.length) {
      fieldset.classList.remove("sortable");
      return;
    }
    const status = document.createElement("p");
    status.className = "kib-order-status";
    status.setAttribute("role", "status");
    fieldset.append(status);
    for (const row of list) {
      const holder = row.querySelector("h3") || row.querySelector("td.original p") || row.querySelector("td.original");
      const group = document.createElement("span");
      group.className = "kib-move-buttons";
      group.append(button("up", row), button("down", row));
      holder.append(group);
    }
    fieldset.addEventListener("click", (event) => {
      const target = event.target.closest("button.kib-move");
      if (!target || !fieldset.contains(target)) return;
      event.preventDefault();
      move(fieldset, target.closest(ROWS), target.dataset.direction, status);
      target.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("fieldset.sortable").forEach(setUp);
  });
})();
