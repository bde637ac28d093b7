/* Server-rendered public pages: draw each chart when it comes near the screen.
 * The figure is JSON in <script type="application/json" id="..."> beside a placeholder
 * <div data-figure="id">. plotly.js (the dashboard's own small build) is loaded once, only when
 * the first chart is about to be seen. Without JavaScript the page still has each chart's
 * summary, data table and CSV link. */
(function () {
  "use strict";
  var charts = document.querySelectorAll("[data-figure]");
  if (!charts.length) { return; }
  var loading = null;

  function plotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = document.body.getAttribute("data-plotly-src");
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    plotly().then(function (Plotly) {
      Plotly.newPlot(el, figure.data || [], figure.layout || {},
                     {displayModeBar: false, responsive: true});
    });
  }

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
}());
