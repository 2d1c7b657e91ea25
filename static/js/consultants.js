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
