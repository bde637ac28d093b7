"""Write the HTML of every server-rendered page, in the states its classes depend on, to a folder:
the content PurgeCSS reads to keep only the Bootstrap rules these pages use (``make css``).

Run from the repository root with the demo warehouse built:
    .venv/bin/python assets-src/css/corpus.py OUT_DIR
The site is the same in both modes but for the staff links in its navigation.
"""

from __future__ import annotations

import sys
from pathlib import Path

# a page for every state whose classes differ: controls, an open service, a bad link, an unknown
# area and an unknown page (the site's pages only: the staff dashboard links the full file)
PATHS = [
    "/", "/spillover", "/spillover?area=OLDER", "/methods", "/data", "/accessibility",
    "/area/OLDER", "/area/OLDER?terms=real&service=LUNCH", "/area/OLDER?year=1999/00",
    "/area/NOPE", "/nonexistent",
]
# pages of the site that exist in internal mode only (the loopback demo user is staff)
INTERNAL_PATHS = ["/data-quality"]


def main(out: Path) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from dashboard.factory import create_app
    from dashboard.settings import Settings

    public = create_app(Settings.from_env(mode="public")).test_client()
    internal = create_app(Settings.from_env(mode="internal", auth_mode="none")).test_client()
    out.mkdir(parents=True, exist_ok=True)
    pages = [(public, p) for p in PATHS] + [(internal, p) for p in INTERNAL_PATHS]
    for i, (client, path) in enumerate(pages):
        html = client.get(path, headers={"Accept-Encoding": "identity"}).get_data(True)
        (out / f"page-{i:02d}.html").write_text(html, encoding="utf-8")
    print(f"{len(pages)} pages written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
