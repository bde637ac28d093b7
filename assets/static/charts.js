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

  // The indicator table's small trend lines: the place's values (blue), the benchmark dotted
  // (black), equally spaced by period, gaps left as gaps; decorative (the row gives the trend
  // in words, the table below every value).
  var SVG = "http://www.w3.org/2000/svg";

  function spark(el) {
    var data = JSON.parse(el.getAttribute("data-spark"));
    var w = 150, h = 44, pad = 4;
    var series = [data.values];
    if (data.benchmark.some(function (v) { return v !== null; })) { series.push(data.benchmark); }
    var known = [].concat.apply([], series).filter(function (v) { return v !== null; });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", w); svg.setAttribute("height", h);
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    if (known.length) {
      var low = Math.min.apply(null, known), span = (Math.max.apply(null, known) - low) || 1;
      var n = Math.max.apply(null, series.map(function (s) { return s.length; }));
      var point = function (i, v) {
        return [pad + (w - 2 * pad) * (n > 1 ? i / (n - 1) : 0.5),
                h - pad - (h - 2 * pad) * ((v - low) / span)];
      };
      series.slice().reverse().forEach(function (s, k) {
        var benchmark = series.length > 1 && k === 0, run = [];
        var flush = function () {
          if (!run.length) { return; }
          var line = document.createElementNS(SVG, "polyline");
          line.setAttribute("points", run.join(" "));
          line.setAttribute("fill", "none");
          line.setAttribute("stroke", benchmark ? "#000000" : "#0072B2");
          line.setAttribute("stroke-width", benchmark ? "1.5" : "2");
          if (benchmark) { line.setAttribute("stroke-dasharray", "2 3"); }
          svg.appendChild(line);
          run = [];
        };
        s.forEach(function (v, i) {
          if (v === null) { flush(); } else { run.push(point(i, v).join(",")); }
        });
        flush();
      });
      var last = data.values.length - 1;
      while (last >= 0 && data.values[last] === null) { last -= 1; }
      if (last >= 0) {
        var dot = document.createElementNS(SVG, "circle"), p = point(last, data.values[last]);
        dot.setAttribute("cx", p[0]); dot.setAttribute("cy", p[1]); dot.setAttribute("r", "2.5");
        dot.setAttribute("fill", "#0072B2");
        svg.appendChild(dot);
      }
    }
    el.appendChild(svg);
  }

  function start() {
    document.querySelectorAll(".spark[data-spark]").forEach(spark);
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
