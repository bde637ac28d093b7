"""Benchmark: page weight and time to first chart in Chromium (not a test).

Against gunicorn serving the dashboard on 127.0.0.1, in both modes: public (the Flask site's
pages, ``dashboard/site``) and internal (the same site with the staff navigation). Each page
is opened in a new browser
context (an empty profile: no cache, no cookies) and scrolled to the bottom, so every chart on
it is drawn and counted. Page weight is the sum of the bytes on the wire for every response
(Playwright's ``Request.sizes()``: headers plus encoded body, the browser sending
``Accept-Encoding: gzip, deflate, br``). Time to first chart is from navigation start to the
first frame showing a chart (plotly.js's ``.js-plotly-plot`` SVG; the server draws no
picture since ADR 0014), timed by a ``requestAnimationFrame`` watch the bench adds to the
page, and never earlier than the first contentful paint; median of new contexts. The stages
after it say when plotly.js took over.

Run from the repository root: python -m bench.bench_browser [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics

from bench import start_gunicorn, stop, warehouse_path, write

PAGES = {"overview": "/", "area": "/area/OLDER"}
MODES = ("public", "internal")
CHART_PAGE = "area"


def weigh(browser, url: str) -> dict:
    """Bytes on the wire (headers and encoded bodies) and decoded bytes for one cold load."""
    context = browser.new_context()
    page = context.new_page()
    done = []
    page.on("requestfinished", lambda r: done.append(r))
    page.goto(url, wait_until="networkidle")
    page.mouse.wheel(0, 100_000)  # charts drawn on scroll count too: the page's full weight
    page.wait_for_timeout(300)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    rows = []
    for r in done:
        sizes = r.sizes()
        response = r.response()
        raw = len(response.body()) if response is not None else 0
        rows.append((sizes["responseBodySize"] + sizes["responseHeadersSize"], raw, r.url))
    context.close()
    biggest = sorted(rows, reverse=True)[:5]
    return {"wire_bytes": sum(w for w, _, _ in rows), "raw_bytes": sum(b for _, b, _ in rows),
            "requests": len(rows),
            "largest": [(w, u.split("?")[0].rsplit("/", 1)[-1]) for w, _, u in biggest]}


# Watches each frame from the page's first: when the first chart is on the page as a server
# picture (none since ADR 0014), whole (the parser is past it: its block's data table
# is there), and when plotly.js has drawn one. A frame's callback runs before that frame's
# style, layout and paint, so the time is taken after them: in a message posted from the
# callback, which runs once the frame is done. A few lines, one check per frame.
WATCH = """(() => {
  const seen = {};
  window.__firstChart = seen;
  const after = new MessageChannel();
  let pending = [];
  after.port1.onmessage = () => {
    const now = performance.now();
    pending.forEach(key => { if (!(key in seen)) seen[key] = now; });
    pending = [];
  };
  function frame() {
    const picture = document.querySelector('[data-figure] .chart-static');
    const block = picture && picture.closest('.chart-block');
    if (!('picture' in seen) && block && block.querySelector('details')) pending.push('picture');
    if (!('plotly' in seen) && document.querySelector('.js-plotly-plot svg.main-svg')) {
      pending.push('plotly');
    }
    if (pending.length) after.port2.postMessage(0);
    if (!('plotly' in seen)) requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();"""


STAGES = """(() => {
  const r = performance.getEntriesByType('resource').find(x => x.name.includes('plotly.min.js'));
  const m = name => {
    const e = performance.getEntriesByName(name)[0];
    return e ? e.startTime : null;
  };
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const seen = window.__firstChart || {};
  return {fcp: fcp ? fcp.startTime : null, picture: seen.picture ?? null,
          plotly_drawn: seen.plotly ?? null, plotly_fetched: r ? r.responseEnd : null,
          plotly_ready: m('plotly-ready'), first_draw_start: m('chart-start'),
          first_draw_end: m('chart-drawn')};
})()"""


def first_chart(browser, url: str) -> tuple[float | None, dict]:
    """ms from navigation start to the first frame showing a chart: the server's picture of
    it (not before the first contentful paint), or plotly.js's drawing where there is none.
    The stages say where the time went: first contentful paint, the picture, plotly.js
    fetched and evaluated, the first chart's plotly draw (the User Timing marks of
    assets/static/charts.js) and its first frame."""
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    stages: dict = {}
    for _ in range(300):
        page.wait_for_timeout(50)
        stages = page.evaluate(STAGES)
        if stages.get("plotly_drawn") is not None and stages.get("first_draw_end") is not None:
            break
    context.close()
    # nothing is on screen before the first contentful paint, whatever the frame callbacks say
    # (the picture's frame is often counted before it): the picture is shown at the later
    picture = stages.get("picture")
    if picture is not None and stages.get("fcp") is not None:
        stages["picture"] = picture = max(picture, stages["fcp"])
    seen = [v for v in (picture, stages.get("plotly_drawn")) if v is not None]
    return (min(seen) if seen else None), stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results: dict = {"modes": {}}
    for mode in MODES:
        proc, url = start_gunicorn("dashboard.app:server", warehouse_path(),
                                   extra_env={"DASHBOARD_MODE": mode})
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             headless=True, args=["--no-sandbox", "--disable-gpu"])
                weights = {name: weigh(browser, url + path) for name, path in PAGES.items()}
                first_chart(browser, url + PAGES[CHART_PAGE])  # warm the server, not the browser
                runs = [first_chart(browser, url + PAGES[CHART_PAGE])
                        for _ in range(args.repeats)]
                charts = [c for c, _ in runs]
                stages = [st for _, st in runs]
                browser.close()
        finally:
            stop(proc)
        drawn = [c for c in charts if c is not None]

        def median_of(key, runs=stages):
            values = [st[key] for st in runs if st.get(key) is not None]
            return round(statistics.median(values)) if values else None

        results["modes"][mode] = {
            "weights": weights, "first_chart_all_ms": charts,
            "first_chart_ms": round(statistics.median(drawn)) if drawn else None,
            "stages_ms": {k: median_of(k) for k in ("fcp", "picture", "plotly_fetched",
                                                    "plotly_ready", "first_draw_start",
                                                    "first_draw_end", "plotly_drawn")}}

    lines = ["## Page weight and time to first chart", "",
             "Each page loaded in a new Chromium context (empty profile, cache disabled) from "
             "gunicorn on 127.0.0.1 and scrolled to the bottom so every chart is drawn; bytes "
             "on the wire as Chromium counts them, with gzip/deflate/br accepted. **public**: "
             "the Flask site of `DASHBOARD_MODE=public` (what readers of the published data "
             "get); **internal**: the same site with the staff navigation "
             "(`DASHBOARD_MODE=internal`).", "",
             "| mode | page | on the wire (MB) | uncompressed (MB) | requests | largest responses "
             "(bytes on the wire) |", "|---|---|---:|---:|---:|---|"]
    for mode, r in results["modes"].items():
        for name, w in r["weights"].items():
            largest = ", ".join(f"{n} {b / 1e6:.2f} MB" for b, n in w["largest"][:3])
            lines.append(f"| {mode} | {name} `{PAGES[name]}` | {w['wire_bytes'] / 1e6:.2f} | "
                         f"{w['raw_bytes'] / 1e6:.2f} | {w['requests']} | {largest} |")
    lines += ["", f"Time to first chart on `{PAGES[CHART_PAGE]}`: navigation start to the first "
              "frame that shows a chart (drawn by plotly.js, never counted before the first "
              "contentful paint), new context each time, 1280x720 "
              "window, loopback network, no throttling. The chart is drawn whether or not it is "
              "above the fold (at 1280x720 the first one starts at the fold).", ""]
    for mode, r in results["modes"].items():
        charts = r["first_chart_all_ms"]
        drawn = [c for c in charts if c is not None]
        lines.append(f"- {mode}: median {r['first_chart_ms']} ms over {len(drawn)} of "
                     f"{len(charts)} loads (all: "
                     f"{', '.join(str(round(c)) if c else 'none' for c in charts)}).")
        st = r["stages_ms"]
        lines.append(f"  Where the time goes (medians, ms from navigation start): first "
                     f"contentful paint {st['fcp']}; plotly.js fetched {st['plotly_fetched']}, "
                     "evaluated "
                     f"{st['plotly_ready']}; plotly.js's first draw "
                     f"{st['first_draw_start']}–{st['first_draw_end']} (its first "
                     "`Plotly.newPlot`, which compiles plotly's drawing code as it runs), "
                     f"painted {st['plotly_drawn']}: from then on the chart has hover values.")
    md = "\n".join(lines)
    print(md)
    write("browser", md, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
