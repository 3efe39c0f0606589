// declass reading room: small progressive enhancements (every page works without it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("button.nojs").forEach(function (b) { b.hidden = true; });
  document.querySelectorAll("select.autosubmit").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });

  // Reading switch: as typed / as amended / redline, without a reload.
  document.querySelectorAll("a.reading-switch").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var r = a.getAttribute("data-reading");
      document.body.classList.remove("reading-typed", "reading-amended", "reading-redline");
      document.body.classList.add("reading-" + r);
      document.querySelectorAll("a.reading-switch").forEach(function (x) {
        var on = x === a;
        x.classList.toggle("current", on);
        x.setAttribute("aria-pressed", on ? "true" : "false");
      });
      var u = new URL(window.location.href);
      u.searchParams.set("reading", r);
      history.replaceState(null, "", u.toString());
    });
  });

  // Layers: analysis the reader switches on (entities, judgments, redactions, edits,
  // furniture). The page came with the layers of its URL; without any in the URL,
  // the ones this browser last chose. A change applies at once and is remembered.
  var layerForm = document.querySelector("form.layers");
  if (layerForm) {
    var boxes = Array.prototype.slice.call(layerForm.querySelectorAll('input[name="layer"]'));
    var KEY = "declass.layers";
    var apply = function (save) {
      var on = [];
      boxes.forEach(function (b) {
        document.body.classList.toggle("layer-" + b.value, b.checked);
        if (b.checked) on.push(b.value);
      });
      var links = document.body.classList.contains("layer-entities");
      document.querySelectorAll("a.entity").forEach(function (a) {
        if (links) a.removeAttribute("tabindex"); else a.setAttribute("tabindex", "-1");
      });
      var u = new URL(window.location.href);
      u.searchParams.delete("layer");
      u.searchParams.delete("furniture");
      on.forEach(function (k) { u.searchParams.append("layer", k); });
      document.querySelectorAll("a.reading-switch").forEach(function (a) {
        var h = new URL(a.href);
        h.searchParams.delete("layer");
        on.forEach(function (k) { h.searchParams.append("layer", k); });
        a.href = h.toString();
      });
      if (save) {
        history.replaceState(null, "", u.toString());
        try { localStorage.setItem(KEY, JSON.stringify(on)); } catch (e) { /* storage refused */ }
      }
    };
    var params = new URL(window.location.href).searchParams;
    if (!params.has("layer") && !params.has("furniture")) {
      var saved = null;
      try { saved = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
      if (Array.isArray(saved)) {
        boxes.forEach(function (b) { b.checked = saved.indexOf(b.value) >= 0; });
        apply(false);
      }
    }
    boxes.forEach(function (b) { b.addEventListener("change", function () { apply(true); }); });
  }

  // A link to a block folded in the cover card opens the card.
  var reveal = function () {
    if (!window.location.hash) return;
    var t = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    var d = t && t.closest ? t.closest("details") : null;
    if (d && !d.open) { d.open = true; t.scrollIntoView(); }
  };
  reveal();
  window.addEventListener("hashchange", reveal);

  // Copy a citation.
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var text = b.getAttribute("data-citation");
      var done = function () { var old = b.textContent; b.textContent = "copied"; setTimeout(function () { b.textContent = old; }, 1200); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
      } else { fallback(text); done(); }
      b.setAttribute("data-copied", text);
    });
  });
  function fallback(text) {
    var t = document.createElement("textarea");
    t.value = text; t.setAttribute("readonly", ""); t.style.position = "absolute"; t.style.left = "-9999px";
    document.body.appendChild(t); t.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(t);
  }

  // Keyboard navigation of the outline: arrows, Home, End.
  var links = Array.prototype.slice.call(document.querySelectorAll("#outline a"));
  links.forEach(function (a, i) {
    a.addEventListener("keydown", function (ev) {
      var j = null;
      if (ev.key === "ArrowDown") j = Math.min(i + 1, links.length - 1);
      else if (ev.key === "ArrowUp") j = Math.max(i - 1, 0);
      else if (ev.key === "Home") j = 0;
      else if (ev.key === "End") j = links.length - 1;
      if (j !== null) { ev.preventDefault(); links[j].focus(); }
    });
  });

  // Sortable tables (columns with data-sort).
  document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th) {
    th.setAttribute("tabindex", "0");
    th.setAttribute("role", "columnheader button");
    var sort = function () {
      var table = th.closest("table"), body = table.tBodies[0];
      var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
      var asc = th.getAttribute("aria-sort") !== "ascending";
      var num = th.getAttribute("data-sort") === "num";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[idx], y = b.cells[idx];
        var vx = num ? parseFloat(x.getAttribute("data-value")) : x.textContent.trim().toLowerCase();
        var vy = num ? parseFloat(y.getAttribute("data-value")) : y.textContent.trim().toLowerCase();
        return (vx < vy ? -1 : vx > vy ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
      th.parentNode.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sort(); } });
  });
})();
