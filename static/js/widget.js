// The booking widget inside a consultant's website (integrations/widget.py). Without this file the times are
// links that open the booking in a new tab.
(function () {
  var site = document.body.getAttribute("data-widget-origin");  // checked by the server against the consultant's list

  // A time opens the booking in a pop-up on Probono's own origin; signing in there works even where the
  // browser blocks cookies in frames. A blocked pop-up leaves the link to open its new tab.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-widget-book]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    var popup = window.open(link.href, "probono-booking", "popup,width=560,height=780");
    if (popup) { event.preventDefault(); popup.focus(); }
  });

  // The pop-up's confirmation page tells this frame (same origin) that the session is booked: say so, and
  // fetch the times again (the booked one is gone).
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== "probono:booked") { return; }
    var status = document.querySelector("[data-widget-status]");
    if (status) { status.textContent = document.body.getAttribute("data-booked-text"); status.hidden = false; }
    var picker = document.getElementById("picker");
    if (picker && window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#picker", swap: "outerHTML" });
    }
  });

  // Tell the website how tall the widget is, so its frame needs no scroll bar (the snippet's listener sets it).
  if (site && window.parent !== window) {
    var last = 0;
    var report = function () {
      var height = Math.ceil(document.documentElement.scrollHeight);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: "probono:resize", height: height }, site);
      }
    };
    if (window.ResizeObserver) { new ResizeObserver(report).observe(document.body); }
    window.addEventListener("load", report);
    document.body.addEventListener("htmx:afterSettle", report);
  }
})();
