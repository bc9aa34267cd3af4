"""`reachmap serve` as a real process on a free loopback port, for the tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

REACHMAP = Path(sys.executable).parent / "reachmap"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`reachmap serve` in ``workdir`` (its stderr in ``workdir/server.log``), up and healthy.

    The database is ``db_url``, or a fresh SQLite file in ``workdir``. The environment's
    REACHMAP_API_TOKEN is not passed on: a token is given as an argument when wanted.
    """

    def __init__(self, workdir: Path, *extra: str, db_url: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        db_url = db_url or f"sqlite:///{workdir / 'web.sqlite3'}"
        self.cmd = [str(REACHMAP), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                    "--database-url", db_url, *extra]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != "REACHMAP_API_TOKEN"}
        env["COLUMNS"] = "200"  # the URL line stays one line in the log
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(
                self.cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=workdir
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                code = self.proc.poll()
                why = "timed out" if code is None else f"exited ({code})"
                log = self.stop()
                raise AssertionError(f"`{' '.join(self.cmd)}` {why}; stderr:\n{log[-4000:]}")
            time.sleep(0.2)

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); return its stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
