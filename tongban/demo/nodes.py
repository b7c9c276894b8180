"""Two nodes on one machine: 通州 and 廊坊, each with its own data directory, SQLite file and key.

Used by `tongban demo` (two nodes, the default) and by the federation fault test. Each node is a set
of real processes started with the node's environment: a web server (gunicorn) and the outbox worker
(`tongban federation worker`). Nothing here is shared between the nodes but the trust bundle file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

LANGFANG_REGIONS = ["131000", "131082", "131028", "131024", "131000-LK"]


@dataclass
class NodeSpec:
    id: str
    name: str
    prefix: str
    regions: list[str]
    port: int
    base_dir: Path
    database_url: str = ""  # empty: SQLite in the node's data directory
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / self.id

    @property
    def bundle(self) -> Path:
        return self.base_dir / "trust.json"

    def env(self, advertised_url: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(TONGBAN_NODE_ID=self.id, TONGBAN_DATA_DIR=str(self.data_dir), TONGBAN_TRUST_BUNDLE=str(self.bundle),
                   TONGBAN_CASE_PREFIX=self.prefix, TONGBAN_NODE_KEY_FILE=str(self.data_dir / "node_key.pem"),
                   DJANGO_SETTINGS_MODULE="tongban.settings", PYTHONUNBUFFERED="1")
        env["TONGBAN_PUBLIC_URL"] = self.url  # links in this node's SMS (docs/notifications.md)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def tongban(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tongban.cli", *args], env=self.env(), check=check,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, what: str = "both") -> None:
        """Start the web server and/or the worker, each in its own process group (killable as a whole)."""
        log = open(self.data_dir / "node.log", "a")  # noqa: SIM115 — kept open by the child
        if what in ("both", "web"):
            self.processes["web"] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "tongban.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", "2", "--threads", "4", "--timeout", "60", "--graceful-timeout", "2"],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if what in ("both", "worker"):
            self.processes["worker"] = subprocess.Popen(
                [sys.executable, "-m", "tongban.cli", "federation", "worker", "--interval", "0.1"],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        for process in self.processes.values():
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)
        self.processes.clear()

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/federation/node/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"节点 {self.id} 未能在 {timeout:.0f} 秒内启动（见 {self.data_dir / 'node.log'}）")


def two_nodes(base_dir: Path, port: int = 8000, database_urls: tuple[str, str] = ("", "")) -> list[NodeSpec]:
    return [
        NodeSpec("tongzhou", "北京城市副中心（通州区）节点", "TZ", ["110112"], port, base_dir, database_urls[0]),
        NodeSpec("langfang", "廊坊市节点", "LF", LANGFANG_REGIONS, port + 1, base_dir, database_urls[1]),
    ]


def write_bundle(nodes: list[NodeSpec], urls: dict[str, str] | None = None) -> None:
    """Each node's key (created on first use) into one trust bundle; `urls` overrides where a node is reached."""
    entries = []
    for node in nodes:
        node.data_dir.mkdir(parents=True, exist_ok=True)
        entry = json.loads(node.tongban("federation", "key", "--name", node.name, "--url",
                                        (urls or {}).get(node.id, node.url), "--regions", ",".join(node.regions)
                                        ).stdout)
        entries.append(entry)
    nodes[0].bundle.write_text(json.dumps({"nodes": entries}, ensure_ascii=False, indent=2), encoding="utf-8")


def setup(nodes: list[NodeSpec]) -> None:
    """Migrate and load each node (catalogue and its own staff), in parallel."""
    running = [subprocess.Popen([sys.executable, "-m", "tongban.cli", "demo_node", "setup"], env=n.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for n in nodes]
    for node, process in zip(nodes, running, strict=True):
        output, _ = process.communicate(timeout=900)
        if process.returncode:
            raise RuntimeError(f"节点 {node.id} 准备失败：\n{output}")
