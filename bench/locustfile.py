"""Locust users for bench/load.py (think-time free, loopback only).

``Reader``: the region's read traffic — a person's rights record and record (API, staff token
of its own per user, both 查询留痕) and the public proof-verify page. ``Floor``: one primary-key
SELECT behind a bare FastAPI endpoint (bench.load.floor_app). Targets come from the JSON file
named by JINGBAN_LOAD_TARGETS; every process stops after JINGBAN_LOAD_MAX requests.
"""

from __future__ import annotations

import json
import os
import random
from itertools import count

from locust import FastHttpUser, constant, task

with open(os.environ["JINGBAN_LOAD_TARGETS"], encoding="utf-8") as targets:
    TARGETS = json.load(targets)
MAX_REQUESTS = int(os.environ.get("JINGBAN_LOAD_MAX", "100000"))
_sent = count(1)


class Bounded(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def get(self, path: str, name: str, **kwargs) -> None:
        if next(_sent) > MAX_REQUESTS:
            self.environment.runner.quit()
            return
        self.client.get(path, name=name, **kwargs)


class Reader(Bounded):
    def on_start(self) -> None:
        reply = self.client.post("/api/v1/auth/token", data={
            "username": TARGETS["username"], "password": TARGETS["password"]}, name="sign in")
        self.auth = {"Authorization": f"Bearer {reply.json()['access_token']}"}

    @task(2)
    def rights(self) -> None:
        self.get(f"/api/v1/persons/{random.choice(TARGETS['ssns'])}/rights",
                 "GET /api/v1/persons/{ssn}/rights", headers=self.auth)

    @task(2)
    def person(self) -> None:
        self.get(f"/api/v1/persons/{random.choice(TARGETS['ssns'])}", "GET /api/v1/persons/{ssn}",
                 headers=self.auth)

    @task(1)
    def verify(self) -> None:
        self.get(f"/verify/{random.choice(TARGETS['codes'])}", "GET /verify/{code}")


class Floor(Bounded):
    @task
    def one_row(self) -> None:
        self.get(f"/floor/{random.randint(1, TARGETS['persons'])}", "GET /floor/{id}")
