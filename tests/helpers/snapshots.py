"""What the snapshot tests share: an app whose live log feed stays silent."""

from __future__ import annotations


class SilentLogs:
    """No log stream: the live trace's toasts would land at a moment the snapshot cannot fix
    (they are tested with Pilot in tui/test_live_feeds.py)."""

    error = None

    def poll(self):
        return []

    def close(self):
        pass

    def describe(self):
        return "silent"
