"""A real `redis-server` on a free loopback port, started and stopped by the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    appendonly: bool

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def all_bytes(self) -> bytes:
        """Every key and value in the database, for leak scans."""
        out = bytearray()
        client = self.client()
        for key in client.scan_iter(count=1000):
            out += key
            kind = client.type(key)
            if kind == b"string":
                out += client.get(key) or b""
            elif kind == b"hash":
                for k, v in client.hgetall(key).items():
                    out += k + v
            elif kind == b"list":
                out += b"".join(client.lrange(key, 0, -1))
            elif kind == b"zset":
                out += b"".join(client.zrange(key, 0, -1))
            elif kind == b"stream":
                for _, fields in client.xrange(key):
                    for k, v in fields.items():
                        out += k + v
        client.close()
        return bytes(out)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def start_again(self) -> None:
        """Restarts on the same port and data directory (persistence survives)."""
        self.stop()
        self.process = _spawn(self.port, self.directory, self.appendonly)
        _wait_ready(self.port)


def _spawn(port: int, directory: Path, appendonly: bool) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (bash .ci/run installs it)")
    args = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(directory),
        "--save",
        "",
        "--appendonly",
        "yes" if appendonly else "no",
        "--appendfsync",
        "always",
        "--protected-mode",
        "yes",
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ready(port: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    for _ in range(100):
        try:
            if client.ping():
                client.close()
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server on port {port} did not start")


@contextmanager
def running_redis(appendonly: bool = False) -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="authcheck-redis-") as tmp:
        port = free_port()
        server = RedisServer(port, Path(tmp), _spawn(port, Path(tmp), appendonly), appendonly)
        try:
            _wait_ready(port)
            yield server
        finally:
            server.stop()
