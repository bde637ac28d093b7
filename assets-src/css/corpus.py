"""Write the HTML of every server-rendered page, in the states its classes depend on, to a folder:
the content PurgeCSS reads to keep only the Bootstrap rules these pages use (``make css``).

Run from the repository root with the demo warehouse built:
    .venv/bin/python assets-src/css/corpus.py OUT_DIR
Internal mode (its pages are a superset of the public site's) with the loopback demo user.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

# a page for every state whose classes differ: controls, an open service, an unknown page,
# the planner empty, with results, side by side, with a bad link, and after refused forms
PATHS = [
    "/", "/spillover", "/spillover?area=OLDER", "/methods", "/data", "/accessibility",
    "/area/OLDER", "/area/OLDER?terms=real&service=LUNCH", "/area/OLDER?year=1999/00",
    "/area/NOPE",
    "/scenarios", "/scenarios?scenario=close-luncheon-clubs&compare=expand-falls-prevention",
    "/scenarios?change=NOSUCH:-10pct",
]
FORMS = [  # planner forms that come back with a message (success and refusal)
    {"action": "add", "service": "LUNCH", "kind": "percent", "value": "-900",
     "from": "change=FALLS:10pct"},
    {"action": "add", "service": "LUNCH", "kind": "percent", "value": "-50",
     "from": "change=FALLS:10pct"},
    {"action": "save", "name": "", "from": "change=FALLS:10pct"},
    {"action": "save", "name": "A draft", "from": "change=FALLS:10pct"},
]


def main(out: Path) -> int:
    os.environ.setdefault("DASHBOARD_MODE", "internal")
    os.environ["AUTH_MODE"] = "none"
    os.environ["DRAFTS_PATH"] = str(Path(tempfile.mkdtemp()) / "drafts.sqlite3")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from dashboard.factory import create_app

    client = create_app().server.test_client()
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for path in PATHS:
        pages.append(client.get(path, headers={"Accept-Encoding": "identity"}).get_data(True))
    for form in FORMS:
        token = re.search(r'value="([^"]+)" name="csrf_token"', pages[-1])
        r = client.post("/scenarios", data={**form, "csrf_token": token[1] if token else ""})
        pages.append(client.get(r.location, headers={"Accept-Encoding": "identity"})
                     .get_data(True))
    pages.append(client.post("/scenarios", data={"action": "save"}).get_data(True))  # 400
    for i, html in enumerate(pages):
        (out / f"page-{i:02d}.html").write_text(html, encoding="utf-8")
    print(f"{len(pages)} pages written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
