// Small progressive enhancements. Every page works without this file.
(function () {
  // Tell the server the visitor's time zone, so times render in it (signed-in people use their profile).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Only when none is set: a zone chosen in the picker's "Times in" (the server sets the cookie) is kept.
    if (tz && !/(^|;\s*)tz=/.test(document.cookie)) {
      document.cookie = "tz=" + encodeURIComponent(tz) + ";path=/;max-age=31536000;samesite=lax";
    }
  } catch (e) { /* old browsers keep the default zone */ }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
    if (el.matches && el.matches("[data-autosubmit-htmx]") && el.form) {
      if (window.htmx) { window.htmx.trigger(el.form, "submit"); } else { el.form.submit(); }
    }
  });

  // The time picker may have been rendered in another zone than this visitor's: on a first visit the server could
  // not know the browser's, and a visitors' page comes from a cache that another visitor's zone may have filled.
  // Unless the zone was chosen here or comes from the signed-in profile, fetch the times again in the visitor's
  // zone (the tz cookie: the one they chose in "Times in", else the browser's, written above) before anyone reads them.
  function cookieZone() {
    var match = /(?:^|;\s*)tz=([^;]*)/.exec(document.cookie);
    if (!match) { return ""; }
    try { return decodeURIComponent(match[1]); } catch (e) { return ""; }
  }
  function pickerInBrowserZone() {
    var picker = document.getElementById("picker");
    var zone;
    try { zone = cookieZone() || Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    var source = picker && picker.getAttribute("data-zone-source");
    if (!picker || !zone || source === "chosen" || source === "profile" ||
        picker.getAttribute("data-zone") === zone) { return; }
    var base = picker.getAttribute("data-picker-url");  // may carry parameters of its own (the booking widget's)
    var url = base + (base.indexOf("?") === -1 ? "?" : "&") + "tz=" + encodeURIComponent(zone);
    if (window.htmx) {
      picker.setAttribute("aria-busy", "true");
      window.htmx.ajax("GET", url, { target: "#picker", swap: "outerHTML" });
    } else {
      window.location.replace(url);
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", pickerInBrowserZone); } else { pickerInBrowserZone(); }
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

  // Long answers (textarea[data-counter][maxlength]) count as you type: "123 / 4000". Without JavaScript the help
  // text states the limit, and the server refuses a longer answer with a message on the field.
  function initCounters(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("textarea[data-counter][maxlength]"), function (area) {
      if (area.getAttribute("data-counter") === "on") { return; }
      area.setAttribute("data-counter", "on");
      var limit = parseInt(area.getAttribute("maxlength"), 10);
      var out = document.createElement("span");
      out.className = "counter help";
      out.id = area.id + "_counter";
      out.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", out);
      function update() {
        out.textContent = area.value.length + " / " + limit;
        out.classList.toggle("over", area.value.length > limit);
      }
      area.addEventListener("input", update);
      update();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { initCounters(); }); } else { initCounters(); }
  document.addEventListener("htmx:load", function (event) { initCounters(event.target); });

  // "Copy the code" buttons (data-copy="<id of the field>"): shown only where the browser can copy.
  if (navigator.clipboard) {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = button.getAttribute("data-copied");
        }, function () { field.select(); });
      });
    });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("button[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // A destructive form (data-confirm="what will happen") asks first in a <dialog>. Without JavaScript the server
  // answers the first POST with a confirmation page instead; with it, the dialog adds confirmed=1 and submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]") || form.querySelector("input[name=confirmed]")) { return; }
    if (typeof HTMLDialogElement !== "function") { return; }  // the server's confirmation page takes over
    event.preventDefault();
    var dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    var title = document.createElement("h2");
    title.id = "confirm-title";
    title.textContent = form.getAttribute("data-confirm-title") || "";
    var text = document.createElement("p");
    text.textContent = form.getAttribute("data-confirm");
    var actions = document.createElement("div");
    actions.className = "actions";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = form.getAttribute("data-confirm-danger") === "false" ? "" : "danger";
    yes.textContent = form.getAttribute("data-confirm-yes") || "OK";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "secondary";
    no.textContent = form.getAttribute("data-confirm-no") || "Cancel";
    actions.appendChild(yes);
    actions.appendChild(no);
    dialog.appendChild(title);
    dialog.appendChild(text);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    yes.addEventListener("click", function () {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.value = "1";
      form.appendChild(flag);
      dialog.close();
      form.submit();
    });
    dialog.showModal();
    no.focus();
  });
})();
