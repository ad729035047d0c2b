/* Modelshelf page behaviour. No inline scripts anywhere, so a strict CSP can be on. */
(function () {
  "use strict";

  var MAX_COMPARED = 4;

  /* Ticks outlive a filter change, a page turn and Back: kept for the tab in sessionStorage. */
  var TICKS = "modelshelf.compare";

  function storedTicks() {
    try { return JSON.parse(sessionStorage.getItem(TICKS) || "[]"); } catch (e) { return []; }
  }

  function storeTick(box) {
    var ticks = storedTicks().filter(function (slug) { return slug !== box.value; });
    if (box.checked) ticks.push(box.value);
    try { sessionStorage.setItem(TICKS, JSON.stringify(ticks.slice(0, MAX_COMPARED))); } catch (e) { /* private mode */ }
  }

  /* Compare: the button says how many models are ticked and waits for two to four. */
  function refreshCompare() {
    var form = document.getElementById("compare-form");
    if (!form) return;
    var boxes = form.querySelectorAll('input[type="checkbox"][name="m"]');
    var ticks = storedTicks();
    var shown = {};
    boxes.forEach(function (box) { box.checked = ticks.indexOf(box.value) >= 0; shown[box.value] = true; });
    form.querySelectorAll("input.kept-tick").forEach(function (kept) { kept.remove(); });
    ticks.forEach(function (slug) {  // ticked on another page or filter: still compared
      if (shown[slug]) return;
      var kept = document.createElement("input");
      kept.type = "hidden"; kept.name = "m"; kept.value = slug; kept.className = "kept-tick";
      form.appendChild(kept);
    });
    var ticked = ticks.length;
    boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= MAX_COMPARED; });
    var button = document.getElementById("compare-button");
    var help = document.getElementById("compare-help");
    if (button) {
      button.disabled = ticked < 2;
      button.textContent = ticked ? "Compare (" + ticked + ")" : "Compare";
      button.classList.toggle("outline", ticked < 2);
    }
    if (help) {
      help.textContent = ticked < 2 ? "Tick 2–4 models to compare" :
        (ticked >= MAX_COMPARED ? "Up to 4 models" : "Tick up to " + (MAX_COMPARED - ticked) + " more");
    }
  }

  /* After an in-place decision the server sends the queue size: the bar and heading follow. */
  function refreshPending(event) {
    var pending = event.detail && event.detail.pending;
    if (typeof pending !== "number") return;
    document.querySelectorAll("[data-pending-count]").forEach(function (node) {
      node.textContent = String(pending);
    });
    document.querySelectorAll("[data-pending-text]").forEach(function (node) {
      node.textContent = pending + " request" + (pending === 1 ? "" : "s") + " waiting";
    });
  }
  document.addEventListener("approvals-changed", refreshPending);

  function selectOnFocus(event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  }

  /* Close an open menu (Pico dropdown) on a click elsewhere or Escape. */
  function closeMenus(event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
      if (event.type === "keydown" ? event.key === "Escape" : !menu.contains(event.target)) {
        menu.removeAttribute("open");
        if (event.type === "keydown") menu.querySelector("summary").focus();
      }
    });
  }

  /* A table too wide for the screen scrolls in its box: keyboard users must reach it too. */
  function focusableScrollers() {
    document.querySelectorAll(".overflow-auto").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var heading = box.closest("article, section");
        heading = heading && heading.querySelector("h2, h3");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") + "table, scrolls sideways");
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  /* On a phone a table becomes cards (app.css): each cell is labelled by its column's header,
     read from the header row so that a fragment htmx swaps in is labelled too. A header's
     hidden parts (aria-hidden) and sort marks are left out; an empty header labels nothing. */
  function labelCells(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (!head) return;
      var labels = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        var copy = cell.cloneNode(true);
        copy.querySelectorAll("[aria-hidden='true'], .sort-mark").forEach(function (n) { n.remove(); });
        for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(copy.textContent.replace(/\s+/g, " ").trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && labels[column] !== undefined) {
              cell.setAttribute("data-label", labels[column]);
            }
            if (cell.querySelector("input[type='checkbox']") && cell.tagName === "TD") cell.classList.add("select-cell");
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  /* The top navigation folds behind "Menu" on a phone; without this script it stays open. */
  function foldNavigation() {
    var toggle = document.querySelector(".menu-toggle");
    var links = document.getElementById("nav-links");
    if (!toggle || !links) return;
    toggle.closest(".topbar").classList.add("foldable");
    toggle.addEventListener("click", function () {
      var open = links.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function onReady() {
    refreshCompare();
    labelCells();
    focusableScrollers();
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#compare-form")) {
      if (event.target.name === "m") storeTick(event.target);
      refreshCompare();
    }
  });
  /* One search is one step of history, so one Back undoes it: a request for the URL already
     shown (the filters form's change when the search box loses focus, after the box's own
     request) replaces it instead of pushing a twin, and so does each further pause while a
     search is being typed. Anything else pushes; Back or Forward ends the typing run. */
  var typedPath = null;
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var history = event.detail.history;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var typed = !!(source && source.matches && source.matches("input[type='search']"));
    var here = location.pathname + location.search;
    if (history.type === "push" && (history.path === here || (typed && typedPath === here))) {
      history.type = "replace";
    }
    typedPath = typed ? history.path : (history.path === here ? typedPath : null);
  });
  window.addEventListener("popstate", function () { typedPath = null; });
  document.addEventListener("focusin", selectOnFocus);
  document.addEventListener("click", closeMenus);
  document.addEventListener("keydown", closeMenus);
  document.addEventListener("htmx:afterSettle", onReady);
  document.addEventListener("htmx:historyRestore", onReady);
  window.addEventListener("resize", focusableScrollers);
  function onLoad() {
    foldNavigation();
    onReady();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();
