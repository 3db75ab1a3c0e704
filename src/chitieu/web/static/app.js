// chitieu's only script of its own, and a small one. A table of class "stack" becomes one
// card per row on a phone (app.css); each cell is then named by its column, and the names
// are copied here from the table's header so that each template writes them once. A cell
// that names itself (data-label) keeps its name; the first cell of a row is the card's
// title and is not named. htmx swaps rows in later: they are named after each swap.
(function () {
  "use strict";
  function nameCells() {
    document.querySelectorAll("table.stack").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        for (var i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell, index) {
            var name = names[column];
            column += cell.colSpan;
            if (index === 0 || cell.colSpan > 1 || cell.tagName !== "TD") return;
            if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
          });
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", nameCells);
  document.addEventListener("htmx:afterSettle", nameCells);
})();
