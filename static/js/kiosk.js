/* The wall on an office screen: polls its data URL with the last ETag (an unchanged wall is a 304), redraws
   only what changed, celebrates a new 9 or 10, rotates the best comments, and keeps trying when the server is
   away (a restart, a deploy, the Wi-Fi), saying when it last heard from it. Nothing accumulates: each redraw
   replaces what was there, so a screen can run for weeks. */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) { return; }
  var POLL_MS = 3000, MAX_BACKOFF_MS = 30000, ROTATE_MS = 9000, CELEBRATE_MS = 6000;
  var url = root.dataset.url, lang = root.dataset.lang || "en";
  // The page is drawn by the server; the first poll (at once) brings the data to redraw and rotate. A promoter
  // newer than the one the page was drawn with is celebrated, even if it arrived before that first poll.
  var etag = "";
  var data = null, newestSeen = parseInt(root.dataset.newest || "0", 10) || 0;
  var lastOk = new Date(), failures = 0, commentIndex = 0, celebrateTimer = null, revoked = false;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var $ = function (id) { return document.getElementById(id); };
  var SVG = "http://www.w3.org/2000/svg";

  function text(el, value) { if (el.textContent !== String(value)) { el.textContent = String(value); } }

  function drawTrend(trend) {
    var svg = $("kiosk-trend"), points = [], dots = [];
    var values = trend.map(function (m) { return m.nps; });
    values.forEach(function (v, i) {
      if (v === null) { return; }
      var x = 5 + i * (110 / Math.max(1, values.length - 1));
      var y = 35 - ((v + 100) / 200) * 30;
      points.push(x.toFixed(1) + "," + y.toFixed(1));
      dots.push([x, y]);
    });
    var children = [];
    var zero = document.createElementNS(SVG, "line");
    zero.setAttribute("x1", "0"); zero.setAttribute("x2", "120"); zero.setAttribute("y1", "20"); zero.setAttribute("y2", "20");
    zero.setAttribute("class", "kiosk-trend-zero");
    children.push(zero);
    if (points.length > 1) {
      var line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", points.join(" "));
      line.setAttribute("class", "kiosk-trend-line");
      children.push(line);
    }
    dots.forEach(function (d) {
      var c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", d[0].toFixed(1)); c.setAttribute("cy", d[1].toFixed(1)); c.setAttribute("r", "2.5");
      children.push(c);
    });
    svg.replaceChildren.apply(svg, children);
  }

  function drawComment() {
    var fig = $("kiosk-comment"), comments = data.comments || [];
    var quote = document.createElement("blockquote"), p = document.createElement("p");
    quote.appendChild(p);
    if (!comments.length) {
      p.textContent = fig.dataset.empty;
      fig.replaceChildren(quote);
      return;
    }
    var c = comments[commentIndex % comments.length];
    p.textContent = c.text;
    var cap = document.createElement("figcaption"), strong = document.createElement("strong");
    strong.textContent = c.score + "/10";
    cap.appendChild(strong);
    var who = " · " + (c.company || fig.dataset.anonymous) + (data.consultant ? "" : " · " + c.consultant);
    cap.appendChild(document.createTextNode(who));
    fig.replaceChildren(quote, cap);
  }

  function draw() {
    text($("kiosk-nps"), data.nps === null ? "–" : data.nps);
    text($("kiosk-promoters"), data.promoters);
    text($("kiosk-responses"), $("kiosk-responses").dataset.template.replace("%(n)s", data.responses));
    drawTrend(data.trend || []);
    drawComment();
  }

  function celebrate(score) {
    var box = $("kiosk-celebrate");
    text($("kiosk-celebrate-text"), score >= 10 ? box.dataset.ten : box.dataset.nine);
    box.hidden = false;
    box.classList.toggle("kiosk-animate", !reduceMotion);
    if (celebrateTimer) { clearTimeout(celebrateTimer); }
    celebrateTimer = setTimeout(function () { box.hidden = true; box.classList.remove("kiosk-animate"); }, CELEBRATE_MS);
  }

  function showOffline(message) {
    var el = $("kiosk-offline");
    text(el, message);
    el.hidden = false;
    document.documentElement.classList.add("kiosk-stale");
  }

  function online() {
    $("kiosk-offline").hidden = true;
    document.documentElement.classList.remove("kiosk-stale");
  }

  function schedule(ms) { setTimeout(poll, ms); }

  function poll() {
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"}).then(function (response) {
      if (response.status === 404 || response.status === 410) {
        revoked = true;
        showOffline($("kiosk-offline").dataset.revoked);
        schedule(60000);  // a revoked link stays revoked, but checking now and then costs nothing
        return null;
      }
      if (response.status === 304) { return null; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      etag = response.headers.get("ETag") || "";
      return response.json();
    }).then(function (fresh) {
      if (revoked) { revoked = false; return; }
      failures = 0;
      lastOk = new Date();
      online();
      if (fresh) {
        var after = fresh.newest_promoter;
        data = fresh;
        draw();
        if (after && after.id > newestSeen) { celebrate(after.score); }
        if (after) { newestSeen = Math.max(newestSeen, after.id); }
      }
      schedule(POLL_MS);
    }).catch(function () {
      failures += 1;
      var when = lastOk.toLocaleString(lang, {hour: "2-digit", minute: "2-digit", day: "numeric", month: "short"});
      showOffline($("kiosk-offline").dataset.template.replace("%(time)s", when));
      schedule(Math.min(MAX_BACKOFF_MS, POLL_MS * Math.pow(2, failures - 1)));
    });
  }

  setInterval(function () {
    if (data && (data.comments || []).length > 1) {
      commentIndex = (commentIndex + 1) % data.comments.length;
      drawComment();
    }
  }, ROTATE_MS);
  poll();
})();
