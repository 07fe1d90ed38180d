"""Memory per viewer of `nba-console serve`: one console process per browser.

Serves, in this process, through the same ConsoleServer that `nba-console serve` runs:
1. the baseline: a bare Textual app (one Static) served the same way, N viewers;
2. the console on the seeded demo (read-only, the argv `serve` builds), N viewers.
Each viewer is a websocket client at 160x50 that waits until its console has drawn the Feb 4
figures (759 predictions, nba-scrapers), then idles a moment; the console processes are then
measured from /proc/PID/smaps_rollup: RSS, PSS (shared pages split among sharers) and USS
(private pages: what one more viewer adds). Prints the figures and the ratio to the baseline.

    .venv/bin/python benchmarks/serve_memory_bench.py [--viewers 4] [--settle 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console import cli
from console.cli.local_command import seed_demo
from console.cli.serve_command import child_argv
from console.tui.serve import ConsoleServer, ServeOptions

BARE_APP = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('bare textual app ready')\nBare().run()\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def _own_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _viewer(
    session: aiohttp.ClientSession, url: str, needles: list[bytes], within_s: float
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(url + "?width=160&height=50")
    stream = b""
    deadline = time.monotonic() + within_s
    while not all(n in stream for n in needles):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the served app never drew {needles}")
        message = await ws.receive(timeout=remaining)
        if message.type == aiohttp.WSMsgType.BINARY:
            stream += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise RuntimeError("the served app closed before drawing")
    return ws


async def measure(argv: list[str], needles: list[bytes], viewers: int, settle: float) -> dict[str, float]:
    port = _free_port()
    server = ConsoleServer(ServeOptions(host="127.0.0.1", port=port, argv=argv, max_sessions=viewers))
    runner = web.AppRunner(await server.make_app(), access_log=None)
    with contextlib.redirect_stdout(io.StringIO()):  # the server's banner
        await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    server_before = _own_rss_kb()
    try:
        async with aiohttp.ClientSession() as session:
            # one after the other: a steady state per viewer, not a start-up storm
            sockets = [await _viewer(session, f"http://127.0.0.1:{port}/ws", needles, 120) for _ in range(viewers)]
            await asyncio.sleep(settle)
            pids = [s.service.pid for s in server.sessions.values()]
            figures = [_memory_kb(pid) for pid in pids]
            server_after = _own_rss_kb()
            for ws in sockets:
                await ws.close()
    finally:
        await runner.cleanup()
    return {key: statistics.mean(f[key] for f in figures) / 1024 for key in ("rss", "pss", "uss")} | {
        "server_mb_per_viewer": (server_after - server_before) / 1024 / viewers,
        "viewers": len(figures),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=4)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds every viewer idles before measuring")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        data = Path(tmp) / "data"
        os.environ["NBA_CONSOLE_STATE_DIR"] = str(Path(tmp) / "state")  # the consoles inherit it
        args = cli.build_parser().parse_args(["--data-dir", str(data), "serve"])
        settings = cli.settings_from_args(args)
        seed_demo(settings)
        base = asyncio.run(
            measure([sys.executable, "-c", BARE_APP], [b"bare textual app ready"], opts.viewers, opts.settle)
        )
        console = asyncio.run(
            measure(child_argv(settings, args, read_only=True), [b"759", b"nba-scrapers"], opts.viewers, opts.settle)
        )
    print(f"viewers: {opts.viewers} per server, each at 160x50, measured after drawing + {opts.settle:g} s idle")
    print(f"{'per viewer (MB)':<28}{'RSS':>8}{'PSS':>8}{'USS':>8}")
    for name, fig in (("bare Textual app (baseline)", base), ("nba-console (demo, Feb 4)", console)):
        print(f"{name:<28}{fig['rss']:>8.1f}{fig['pss']:>8.1f}{fig['uss']:>8.1f}")
    print(
        f"ratio console/baseline      {console['rss'] / base['rss']:>7.2f}x{console['pss'] / base['pss']:>7.2f}x"
        f"{console['uss'] / base['uss']:>7.2f}x"
    )
    print(f"server process growth per viewer: {console['server_mb_per_viewer']:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
