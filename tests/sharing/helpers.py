"""Building and sending feed files in tests."""

from __future__ import annotations

import csv
import io
import json

EMPLOYER_COLUMNS = ["event_id", "action", "uscc", "name", "kind", "region", "address",
                    "legal_rep", "effective_date"]


def employer_csv(rows: list[dict], bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, EMPLOYER_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def population_json(rows: list[dict]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=2).encode()


def upload(client, headers: dict, kind: str, content: bytes, filename: str = "feed.csv"):
    return client.post("/api/v1/sharing/batches", data={"kind": kind},
                       files={"file": (filename, content)}, headers=headers)
