/* The site's pages: draw each chart with plotly.js when it comes near the screen.
 * The figure is JSON in <script type="application/json" id="..."> beside its
 * <div data-figure="id">, an empty placeholder of the chart's height (the same figure JSON
 * the view functions made; no other renderer). plotly.js (the dashboard's own small build) is
 * loaded once: at once on wide screens, where the first chart is in view (the page also
 * preloads it there), and on phones only when a chart is about to be seen. Without JavaScript
 * the page still has each chart's summary, data table and CSV link.
 * Loaded async: it may run before the page is parsed.
 */
(function () {
  "use strict";
  var WIDE = "(min-width: 768px)";  // as the page's <link rel="preload" media>
  var loading = null;

  function plotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = document.body.getAttribute("data-plotly-src");
        script.onload = function () { mark("plotly-ready"); resolve(window.Plotly); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  // Charts are drawn one at a time, each in a task of its own after the previous chart has
  // been painted: drawn together they would be one long task, and the first chart would show
  // only when the last was done (and a click would wait as long).
  var queue = Promise.resolve();

  function mark(name) {  // User Timing marks, for anyone profiling the page
    if (window.performance && performance.mark) { performance.mark(name); }
  }

  function nextFrame() {
    return new Promise(function (resolve) {
      if (window.requestAnimationFrame) {
        window.requestAnimationFrame(function () { setTimeout(resolve, 0); });
      } else {
        setTimeout(resolve, 0);
      }
    });
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    queue = queue.then(plotly).then(function (Plotly) {
      var figure = JSON.parse(source.textContent);
      mark("chart-start");
      return Plotly.newPlot(el, figure.data || [], figure.layout || {},
                            {displayModeBar: false, responsive: true});
    }).then(function () { mark("chart-drawn"); return nextFrame(); }, nextFrame);
  }

  function start() {
    var charts = document.querySelectorAll("[data-figure]");
    if (!charts.length) { return; }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, {rootMargin: "200px"});
    charts.forEach(function (el) { observer.observe(el); });
  }

  // wide screens: start plotly.js now, while the rest of the page is still arriving
  if (document.body && document.body.hasAttribute("data-has-charts") &&
      window.matchMedia && window.matchMedia(WIDE).matches) {
    plotly();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
