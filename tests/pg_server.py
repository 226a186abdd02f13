"""A throw-away PostgreSQL server for the tests: ``initdb`` in a temporary folder, a free local port.

Uses Debian's ``postgresql`` package (scripts/setup installs it). As root, the server runs as the
``postgres`` user (PostgreSQL refuses to run as root). Stopped and deleted at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl`` from PATH or Debian's versioned folder."""
    hit = shutil.which(name)
    if hit:
        return hit
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """Start with ``start()``, get a fresh database with ``new_database()``, ``stop()`` at the end."""

    def __init__(self) -> None:
        self.initdb = find_bin("initdb")
        self.pg_ctl = find_bin("pg_ctl")
        self.root = Path(tempfile.mkdtemp(prefix="bodycoach-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
                self.user = "postgres"
            except KeyError:
                self.user = "nobody"
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        subprocess.run(list(cmd), check=True, timeout=timeout, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, user=self.user, cwd=self.root)

    def start(self) -> PgServer:
        assert self.initdb and self.pg_ctl
        self._run(self.initdb, "-D", str(self.data), "-U", "bodycoach", "--auth=trust", "--locale=C",
                  "--encoding=UTF8", "--no-sync")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                "-c fsync=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=16MB")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w",
                  "-t", "60", "start", timeout=90)
        return self

    @property
    def admin_url(self) -> str:
        return f"postgresql://bodycoach@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return f"postgresql://bodycoach@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.pg_ctl and (self.data / "postmaster.pid").exists():
            try:
                self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
            except (subprocess.SubprocessError, OSError):
                pass
        for _ in range(20):
            if not (self.data / "postmaster.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
