"""`reachmap serve` as a real process on loopback: it starts, answers, and loses no
acknowledged scenario when it is killed (SIGKILL) in the middle of writes."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

from tests.serving import Server  # noqa: E402


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'serve.sqlite3'}"


@pytest.fixture()
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path, db_url=db_url)
    yield s
    s.stop()


def scenario(n: int) -> dict:
    return {
        "title": f"scenario {n}",
        "on": "2026-11-25",
        "system": {"range": f"{n}-{n + 1000} km", "basing": "ground"},
        "sites": {"places": ["53.9,27.57"]},
    }


def test_serve_prints_its_url_and_answers(server: Server) -> None:
    r = httpx.get(server.url + "/api/v1/health")
    assert r.json()["status"] == "ok"
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    err = server.stop()
    assert f"http://127.0.0.1:{server.port}/" in err


def test_no_acknowledged_scenario_is_lost_when_the_server_is_killed(
    db_url: str, tmp_path: Path
) -> None:
    server = Server(tmp_path, db_url=db_url)
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(start: int) -> None:
        n = start
        with httpx.Client(base_url=server.url, timeout=10) as client:
            while not stop.is_set():
                try:
                    r = client.post("/api/v1/scenarios", json=scenario(n))
                except httpx.TransportError:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acknowledged[r.json()["id"]] = n
                n += 4
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.proc.send_signal(signal.SIGKILL)  # mid-write: four clients are posting
    server.proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert len(acknowledged) >= 60

    again = Server(tmp_path, db_url=db_url)
    try:
        with httpx.Client(base_url=again.url, timeout=10) as client:
            for sid, n in acknowledged.items():
                r = client.get(f"/api/v1/scenarios/{sid}")
                assert r.status_code == 200, (sid, r.text)
                assert r.json()["scenario"]["title"] == f"scenario {n}"
            # and the store still takes writes
            assert client.post("/api/v1/scenarios", json=scenario(19_000)).status_code == 201
    finally:
        again.stop()


def test_serve_with_two_worker_processes(db_url: str, tmp_path: Path) -> None:
    server = Server(tmp_path, "--workers", "2", "--token", "t0k", db_url=db_url)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            body = {"sites": [{"place": "Minsk"}], "range": "500-5500 km"}
            totals = {client.post("/api/v1/reach", json=body).json()["totals"]["capitals_reached"]
                      for _ in range(6)}  # fmt: skip
            assert len(totals) == 1  # every worker gives the same answer
            # the token reaches the workers through the environment
            assert client.post("/api/v1/scenarios", json=scenario(7)).status_code == 401
            auth = {"Authorization": "Bearer t0k"}
            r = client.post("/api/v1/scenarios", json=scenario(7), headers=auth)
            assert r.status_code == 201
            assert client.get(f"/api/v1/scenarios/{r.json()['id']}").status_code == 200
    finally:
        err = server.stop()
    assert "2 workers" in err
