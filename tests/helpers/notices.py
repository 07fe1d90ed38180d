"""What an app told the user: every `notify()` call (Textual's public way to raise a toast),
recorded before Textual shows it. Tests assert on these instead of Textual's private list."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App


@dataclass(frozen=True)
class Notice:
    message: str
    title: str
    severity: str


def record_notices(monkeypatch, app: App) -> list[Notice]:
    """A list that fills with each notice `app` raises from now on (the toast is still shown)."""
    told: list[Notice] = []
    shown = app.notify

    def notify(message, *, title="", severity="information", **kwargs):
        told.append(Notice(str(message), str(title), str(severity)))
        return shown(message, title=title, severity=severity, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return told
