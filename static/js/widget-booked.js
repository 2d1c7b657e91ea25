// On the confirmation page of a booking made from a consultant's widget: tell the website that framed the widget
// (only its origin, which the server checked against the consultant's list; never "*") and the widget's frame.
(function () {
  var section = document.querySelector("[data-widget-booked]");
  var data = document.getElementById("probono-widget-message");
  if (!section || !data || !window.opener) { return; }
  var message = JSON.parse(data.textContent);
  var site = section.getAttribute("data-origin");
  try {
    // The pop-up's opener is the widget's frame; the website is that frame's parent.
    if (window.opener.parent && window.opener.parent !== window.opener) {
      window.opener.parent.postMessage(message, site);
    } else {
      window.opener.postMessage(message, site);
    }
    window.opener.postMessage(message, window.location.origin);
  } catch (e) { return; }
  var close = section.querySelector("[data-widget-close]");
  if (close) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }
})();
