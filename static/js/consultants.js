// Consultant calendar: after htmx swaps in another month, move keyboard focus to its heading so keyboard and
// screen-reader users are not left on a link that no longer exists. Without JavaScript the links load full pages.
(function () {
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "calendar") {
      var heading = document.getElementById("cal-h");
      if (heading) { heading.focus(); }
    }
  });
})();

// Rule form: show only the fields the chosen kind uses (monthly: which + weekday; weekly: weekday; date: date).
// Without JavaScript every field is shown and the server ignores the ones that do not apply.
(function () {
  var uses = { monthly: ["ordinal", "weekday"], weekly: ["weekday"], date: ["on_date"] };
  function sync(kindSelect) {
    var form = kindSelect.form;
    var prefix = kindSelect.name.slice(0, kindSelect.name.length - "kind".length);
    ["ordinal", "weekday", "on_date"].forEach(function (name) {
      var input = form.elements[prefix + name];
      var wrapper = input && input.closest(".field");
      if (wrapper) { wrapper.hidden = (uses[kindSelect.value] || []).indexOf(name) === -1; }
    });
  }
  function init() {
    var selects = document.querySelectorAll("form select[name$='kind']");
    Array.prototype.forEach.call(selects, function (el) {
      sync(el);
      el.addEventListener("change", function () { sync(el); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
