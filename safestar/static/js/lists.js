/* Phone-first lists (docs/architecture.md “前端机制”): on a narrow screen every row of a list table
   (the tables of a list page, main[data-list-page], and every table.table-ss) is a card, laid out by safestar.css. This script only supplies what CSS cannot
   know: each cell's column name (data-label, from the table head) and the card's title, the row's
   first cell (or the one marked data-card-title), made the link to the record (the row's first
   link) when it is not one already.
   It runs on load and after htmx swaps a list (search, paging). */
(function () {
  "use strict";

  function cardify(table) {
    if (table.dataset.cards === "1") {
      return;
    }
    table.dataset.cards = "1";
    table.classList.add("table-cards");
    var labels = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/[▲▼]/g, "").trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var cells = row.querySelectorAll("td");
      if (!cells.length) {
        return;
      }
      Array.prototype.forEach.call(cells, function (cell, i) {
        if (labels[i] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", labels[i]);
        }
      });
      var title = row.querySelector("td[data-card-title]") || cells[0];  // a list may name its title column
      title.classList.add("card-title-cell");
      var link = row.querySelector("a[href]");
      if (!link || title.contains(link)) {
        return;
      }
      var onlyLink = link.closest("td");
      if (onlyLink && onlyLink.textContent.trim() === link.textContent.trim()) {
        onlyLink.classList.add("card-duplicate");  // e.g. 查看: the title is the link on a card
      }
      var anchor = document.createElement("a");
      anchor.href = link.getAttribute("href");
      anchor.className = "card-title-link";
      while (title.firstChild) {
        anchor.appendChild(title.firstChild);
      }
      title.appendChild(anchor);
    });
  }

  function run(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("main[data-list-page] table, table.table-ss"), cardify);
  }

  document.addEventListener("DOMContentLoaded", function () { run(document); });
  document.addEventListener("htmx:afterSettle", function (event) { run(event.target); });
})();
