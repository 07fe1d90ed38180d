"""A TCP proxy in front of an emulator that can break the way networks break.

Modes, switched at any time on the same port (every open connection is cut on a switch,
so clients must reconnect into the new mode):

- ``forward``: a plain proxy to the emulator;
- ``closed``: nothing listens (connection refused): an endpoint that is down, or an
  emulator stopped mid-session;
- ``blackhole``: connections are accepted and never answered (a hung server, a firewall
  that drops).
"""

from __future__ import annotations

import socket
import threading


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "closed"
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set(self, mode: str) -> FaultProxy:
        assert mode in ("forward", "closed", "blackhole")
        with self._lock:
            self.mode = mode
            for conn in self._conns:
                _close(conn)
            self._conns.clear()
            if mode == "closed":
                if self._listener is not None:
                    _close(self._listener)
                    self._listener = None
            elif self._listener is None:
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", self.port))
                listener.listen(64)
                self._listener = listener
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def close(self) -> None:
        self.set("closed")

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                if self._listener is not listener:
                    _close(client)
                    return
                self._conns.append(client)
                mode = self.mode
            if mode == "forward":
                threading.Thread(target=self._bridge, args=(client,), daemon=True).start()
            # blackhole: keep the socket open and never read or answer

    def _bridge(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._conns.append(upstream)
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
