// Small progressive enhancements. Every page works without this file.
(function () {
  // Tell the server the visitor's time zone, so times render in it (signed-in people use their profile).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=" + encodeURIComponent(tz)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(tz) + ";path=/;max-age=31536000;samesite=lax";
    }
  } catch (e) { /* old browsers keep the default zone */ }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
  });
  // A form whose fields depend on a "kind" select (the report's period): show only the chosen kind's fields.
  // Without JavaScript every field shows and the server reads only the ones the kind uses.
  function syncKind(form) {
    var select = form.elements[form.getAttribute("data-kind")];
    var uses = JSON.parse(form.getAttribute("data-kind-fields") || "{}");
    var all = {};
    Object.keys(uses).forEach(function (k) { uses[k].forEach(function (n) { all[n] = true; }); });
    Object.keys(all).forEach(function (name) {
      var input = form.elements[name];
      var wrapper = input && input.closest && input.closest(".field");
      if (wrapper) { wrapper.hidden = (uses[select.value] || []).indexOf(name) === -1; }
    });
  }
  function initKinds() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-kind]"), function (form) {
      var select = form.elements[form.getAttribute("data-kind")];
      if (!select) { return; }
      syncKind(form);
      select.addEventListener("change", function () { syncKind(form); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", initKinds); } else { initKinds(); }

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
