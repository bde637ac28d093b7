"""Fetch indicators for one area from the Fingertips API into a file the fingertips kind loads.

The API's CSV export (``/api/all_data/csv/by_indicator_id``) returns every area of the
requested area type with its parent and England; this keeps the area's own rows, its parent
(region) rows and England's, and writes them with the export's header unchanged, so the file
is exactly what a council could have downloaded by hand. Nothing here touches the warehouse.

    python -m warehouse.loaders.fetch_fingertips --area E09000007 --indicator 22401 \\
        --indicator 93014 --out var/sources/indicators/fingertips_camden.csv

Tests replace the HTTP layer with recorded responses (a ``requests.Session`` with a test
adapter), so they never need the network.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

API = "https://fingertips.phe.org.uk/api"
ENDPOINT = "/all_data/csv/by_indicator_id"
ENGLAND = "E92000001"
# area type ids: 502 upper-tier local authorities (from April 2023), 6 regions (statistical)
DEFAULT_AREA_TYPE = 502
DEFAULT_PARENT_AREA_TYPE = 6
REQUIRED = ("Indicator ID", "Area Code", "Time period", "Value")
TIMEOUT_S = 120
RETRIES = 2


class FetchError(Exception):
    """The API could not give usable data; the message says what and from where."""


@dataclass
class FetchResult:
    path: Path
    url: str
    rows_received: int
    rows_written: int
    areas: list[str]
    indicators: list[int]


def _get(session: requests.Session, url: str, params: dict, timeout: float,
         retries: int) -> requests.Response:
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            response = session.get(url, params=params, timeout=timeout)
        except requests.RequestException as err:
            last = err
        else:
            if response.status_code < 500:
                return response
            last = FetchError(f"HTTP {response.status_code}")
        if attempt < retries:
            time.sleep(min(2 ** attempt, 8))
    raise FetchError(f"{url}: no answer from the Fingertips API after {retries + 1} tries "
                     f"({last})")


def fetch(
    area_code: str,
    indicator_ids: Sequence[int],
    out: Path,
    area_type_id: int = DEFAULT_AREA_TYPE,
    parent_area_type_id: int = DEFAULT_PARENT_AREA_TYPE,
    session: requests.Session | None = None,
    base_url: str = API,
    timeout: float = TIMEOUT_S,
    retries: int = RETRIES,
) -> FetchResult:
    """Download ``indicator_ids`` for ``area_code`` (with its region and England) into ``out``."""
    if not indicator_ids:
        raise FetchError("give at least one indicator id")
    ids = [int(i) for i in indicator_ids]
    area = area_code.strip().upper()
    session = session or requests.Session()
    url = base_url.rstrip("/") + ENDPOINT
    params = {"indicator_ids": ",".join(str(i) for i in ids),
              "child_area_type_id": area_type_id,
              "parent_area_type_id": parent_area_type_id}
    response = _get(session, url, params, timeout, retries)
    where = f"{url}?indicator_ids={params['indicator_ids']}"
    if response.status_code != 200:
        raise FetchError(f"{where}: HTTP {response.status_code}: {response.text[:200]}")
    text = response.content.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise FetchError(f"{where}: the API returned an empty file")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FetchError(f"{where}: not a Fingertips CSV export (no {', '.join(missing)} "
                         f"column in the header {header[:6]}...)")
    rows = [r for r in reader if any(c.strip() for c in r)]
    code_at = header.index("Area Code")
    parent_at = header.index("Parent Code") if "Parent Code" in header else None
    own = [r for r in rows if len(r) > code_at and r[code_at].strip().upper() == area]
    if not own:
        raise FetchError(f"{where}: no rows for area {area} at area type {area_type_id}; "
                         "check the area code and the area type id")
    keep = {area, ENGLAND}
    if parent_at is not None:
        keep |= {r[parent_at].strip().upper() for r in own
                 if len(r) > parent_at and r[parent_at].strip()}
    chosen = [r for r in rows if len(r) > code_at and r[code_at].strip().upper() in keep]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(chosen)
    tmp.replace(out)
    return FetchResult(out, where, len(rows), len(chosen), sorted(keep), ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.loaders.fetch_fingertips",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--area", required=True, help="ONS code of the area, e.g. E09000007")
    parser.add_argument("--indicator", type=int, action="append", required=True,
                        help="a Fingertips indicator id (repeat for several)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--area-type", type=int, default=DEFAULT_AREA_TYPE)
    parser.add_argument("--parent-area-type", type=int, default=DEFAULT_PARENT_AREA_TYPE)
    args = parser.parse_args(argv)
    try:
        result = fetch(args.area, args.indicator, args.out, args.area_type,
                       args.parent_area_type)
    except FetchError as err:
        print(f"fetch failed: {err}", file=sys.stderr)
        return 1
    print(f"wrote {result.rows_written} of {result.rows_received} rows "
          f"({', '.join(result.areas)}) to {result.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
