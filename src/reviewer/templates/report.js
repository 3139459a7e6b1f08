(function () {
  "use strict";
  var table = document.getElementById("applicants");
  if (table && table.tHead && table.tBodies.length) {
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

    var cellValue = function (row, index, numeric) {
      var cell = row.cells[index];
      var raw = cell.getAttribute("data-v");
      if (raw === null) { raw = cell.textContent; }
      return numeric ? Number(raw) || 0 : raw;
    };

    var sortBy = function (index, descending) {
      var th = heads[index];
      var numeric = th.getAttribute("data-type") === "number";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellValue(a, index, numeric);
        var y = cellValue(b, index, numeric);
        var c = numeric ? x - y : collator.compare(x, y);
        if (descending) { c = -c; }
        return c || Number(a.getAttribute("data-i")) - Number(b.getAttribute("data-i"));
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      body.appendChild(frag);
      heads.forEach(function (h) { if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); } });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      table.setAttribute("data-sorted", th.getAttribute("data-key") + (descending ? "-desc" : ""));
    };

    heads.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var state = th.getAttribute("aria-sort");
        var numeric = th.getAttribute("data-type") === "number";
        var descending = state === "none" ? numeric : state === "ascending";
        sortBy(index, descending);
        try {
          history.replaceState(null, "", "#sort=" + table.getAttribute("data-sorted"));
        } catch (e) { /* a file: page may refuse; sorting still works */ }
      });
    });

    var match = /^#sort=([a-z_]+)(-desc)?$/.exec(window.location.hash);
    if (match) {
      heads.forEach(function (th, index) {
        if (th.getAttribute("data-key") === match[1]) { sortBy(index, Boolean(match[2])); }
      });
    }

    var filter = document.getElementById("filter");
    var shown = document.getElementById("shown");
    if (filter) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLocaleLowerCase();
        var n = 0;
        Array.prototype.forEach.call(body.rows, function (r) {
          var hit = !q || r.cells[0].textContent.toLocaleLowerCase().indexOf(q) !== -1;
          r.hidden = !hit;
          if (hit) { n += 1; }
        });
        if (shown) { shown.textContent = String(n); }
      });
    }
  }
  document.body.setAttribute("data-ready", "1");
}());
