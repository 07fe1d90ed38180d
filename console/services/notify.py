"""Notification channels of `watch`: Slack incoming webhooks, a generic JSON webhook, a
command fed the JSON on stdin, and stdout.

An *event* is a plain dict (what the outbox stores): {"id", "type": "changes"|"summary",
"report": the `check --json` object, "changes": [...], "digest": {...}}. Rendering an event
for a channel is pure (`slack_payload`, `webhook_payload`); `deliver` does the I/O, bounded
in time: httpx with a timeout per attempt, tenacity retrying 429 / 5xx / timeouts with
exponential back-off that honours Retry-After up to a cap.

URLs and secrets come from environment variables and never appear in output or logs: every
message about a channel uses `mask_url`, and httpx's own request log is kept quiet.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from console.core.config import Settings
from console.core.config_sections import NotifyChannel, WatchSettings
from console.core.models import CheckResult, Status
from console.core.redaction import mask_tree
from console.core.timefmt import for_people
from console.core.timestamps import parse_timestamp
from panels import dispatch
from panels.status_style import STATUS_ICON

if TYPE_CHECKING:
    from tenacity import RetryCallState

log = logging.getLogger("nba_console.watch")
# httpx logs every request with its full URL at INFO: a webhook URL is a secret.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

SIGNATURE_HEADER = "X-Nba-Console-Signature"
DELIVERY_HEADER = "X-Nba-Console-Delivery"
SLACK_TEXT_MAX = 2900  # a section's text may hold 3000 characters
TOP_ROWS = 3


class DeliveryError(Exception):
    """A message could not be delivered. The text is safe to print (no URL, no secret)."""

    def __init__(self, message: str, retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


def mask_url(url: str | None) -> str:
    """`https://hooks.slack.com/services/T0/B0/xyz` -> `https://hooks…/****`."""
    if not url:
        return "(unset)"
    parts = urlsplit(url)
    host = (parts.hostname or "")[:5]
    return f"{parts.scheme or '?'}://{host}…/****"


def describe(channel: NotifyChannel) -> str:
    """One line about a channel for `watch` output: never the URL itself."""
    if channel.kind in ("slack", "webhook"):
        url = os.environ.get(channel.url_env or "")
        where = mask_url(url) if url else f"${channel.url_env} is not set"
        return f"{channel.name} ({channel.kind} {where})"
    if channel.kind == "command":
        return f"{channel.name} (command {channel.command[0] if channel.command else '?'})"
    return f"{channel.name} (stdout)"


# ------------------------------------------------------------------ rendering (pure)


def top_rows(result: CheckResult, tz: tzinfo, limit: int = TOP_ROWS) -> list[str]:
    """The few rows behind a verdict, from the result's value (no extra query): the check's
    own `notify_rows`."""
    return dispatch.notify_rows(result, tz, limit)


def _local(iso: str, tz: tzinfo) -> str:
    return for_people(iso, tz) if parse_timestamp(iso) else str(iso)


def _icon(status: str | None) -> str:
    try:
        return STATUS_ICON[Status(status).value]
    except ValueError:
        return "•"


def change_line(change: dict[str, Any]) -> str:
    before = change.get("previous")
    label = {"recovered": "recovered", "reminder": "still", "error": "cannot be checked"}.get(change["kind"], "")
    # Nothing told before this run (the first run of the morning): no made-up "ok →".
    head = f"{change['title']}: {before} → {change['status']}" if before else f"{change['title']}: {change['status']}"
    if change["kind"] == "reminder":
        head = f"{change['title']}: still {change['status']} (since {change.get('since_local', '?')})"
    elif change["kind"] == "worse":
        head = f"{change['title']}: {change['status']}, worse"
    elif label:
        head += f" ({label})"
    return head


def slack_payload(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """An incoming-webhook message: header line, one block per changed check, playbooks as code."""
    report, tz = event["report"], settings.tz
    game, as_of = report["game_date"], _local(report["as_of"], tz)
    source = f"{report['backend']}:{report['project']}"
    if event["type"] == "summary":
        digest = event["digest"]
        header = f"{_icon(report['status'])} Morning summary · games {game} · {report['status']}"
        lines = [f"{_icon(c['status'])} *{c['title']}*: {c['status']} · {c['summary']}" for c in report["checks"]]
        blocks: list[dict[str, Any]] = [
            _header(header),
            _context(f"as of {as_of} · {source} · {digest['messages']} alert messages this morning"),
            _section("\n".join(lines)),
        ]
        if digest.get("notes"):
            blocks.append(_section("*Notes*\n" + "\n".join(f"✎ {n}" for n in digest["notes"])))
        if digest.get("report_file"):
            blocks.append(_context(f"full report: `{digest['report_file']}`"))
        return {"text": header, "blocks": blocks}
    changes = event["changes"]
    worst = Status.worst([Status(c["status"]) for c in changes]).value if changes else report["status"]
    header = f"{_icon(worst)} Morning check · games {game} · {len(changes)} change{'s' if len(changes) != 1 else ''}"
    blocks = [_header(header), _context(f"as of {as_of} · {source} · overall {report['status']}")]
    for change in changes:
        text = f"{_icon(change['status'])} *{change_line(change)}*\n{change['summary']}"
        if change.get("rows"):
            text += "\n" + "\n".join(f"• {row}" for row in change["rows"])
        blocks.append(_section(text))
        if change.get("ack_text"):
            blocks.append(_context(("🔔 " if change.get("ack_ended") else "🔕 ") + change["ack_text"]))
        if change.get("open_command"):
            blocks.append(_context(open_text(change)))
        if change.get("commands") and change["status"] != "ok":
            why = f" {change['suggestion']}" if change.get("suggestion") else ""
            blocks.append(_section(f"Suggested:{why}\n```" + "\n".join(change["commands"]) + "```"))
        elif change.get("suggestion"):  # the check has playbooks, but its evidence calls for none
            blocks.append(_context(f"No playbook suggested: {change['suggestion']}"))
        blocks.append({"type": "divider"})
    return {"text": header + ": " + "; ".join(change_line(c) for c in changes), "blocks": blocks}


def open_text(change: dict[str, Any]) -> str:
    """`Open: <url|in the console> · nba-console --date … --check … --drill`: the link only when
    serve.public_url is set (never with the token), the command always."""
    url = change.get("open_url")
    link = f"<{url}|open in the console> · " if url else "Open: "
    return f"{link}`{change['open_command']}`"


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SLACK_TEXT_MAX]}]}


def _section(text: str) -> dict[str, Any]:
    if len(text) > SLACK_TEXT_MAX:
        text = text[: SLACK_TEXT_MAX - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def webhook_payload(event: dict[str, Any]) -> dict[str, Any]:
    """The `check --json` object plus `changes` (and `digest` for the summary)."""
    body = {**event["report"], "event": event["type"], "delivery_id": event["id"], "changes": event.get("changes", [])}
    if "digest" in event:
        body["digest"] = event["digest"]
    return body


def text_lines(event: dict[str, Any], settings: Settings) -> list[str]:
    report = event["report"]
    head = f"[{_local(report['as_of'], settings.tz)}] games {report['game_date']}"
    if event["type"] == "summary":
        lines = [f"{head}: morning summary, overall {report['status']}"]
        lines += [f"  {c['title']}: {c['status']} · {c['summary']}" for c in report["checks"]]
        lines += [f"  note: {n}" for n in event["digest"].get("notes", [])]
        if event["digest"].get("report_file"):
            lines.append(f"  report: {event['digest']['report_file']}")
        return lines
    out = []
    for change in event["changes"]:
        out.append(f"{head}: {change_line(change)} · {change['summary']}")
        if change.get("ack_text"):
            out.append(f"    {change['ack_text']}")
        if change.get("open_command"):
            out.append(
                f"    open: {change['open_command']}" + (f"  {change['open_url']}" if change.get("open_url") else "")
            )
        out += [f"    {cmd}" for cmd in change.get("commands", []) if change["status"] != "ok"]
        if not change.get("commands") and change.get("suggestion"):
            out.append(f"    no playbook suggested: {change['suggestion']}")
    return out


# ------------------------------------------------------------------ delivery (I/O)


@dataclass
class Delivery:
    """Sends events to channels. `sleep` and `client` are injectable for tests."""

    settings: Settings
    sleep: Callable[[float], None] = time.sleep
    out: Any = None  # stdout channel's stream

    def send(self, channel: NotifyChannel, event: dict[str, Any]) -> None:
        """Deliver one event, retries included; DeliveryError (safe to print) when it cannot.
        What leaves is masked first (console/core/redaction.py): a log line quoted in a
        summary may hold a credential."""
        event = mask_tree(event, keep=frozenset({"id"}))
        if channel.kind == "stdout":
            stream = self.out or sys.stdout
            stream.write("\n".join(text_lines(event, self.settings)) + "\n")
            stream.flush()
        elif channel.kind == "command":
            self._run_command(channel, event)
        else:
            url = os.environ.get(channel.url_env or "")
            if not url:
                raise DeliveryError(f"{channel.name}: ${channel.url_env} is not set")
            payload = slack_payload(event, self.settings) if channel.kind == "slack" else webhook_payload(event)
            body = orjson.dumps(payload)
            headers = {"Content-Type": "application/json", DELIVERY_HEADER: event["id"]}
            if channel.kind == "webhook" and channel.secret_env:
                secret = os.environ.get(channel.secret_env)
                if not secret:
                    raise DeliveryError(f"{channel.name}: ${channel.secret_env} is not set")
                digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                headers[SIGNATURE_HEADER] = f"sha256={digest}"
            self._post(channel, url, body, headers)

    def _post(self, channel: NotifyChannel, url: str, body: bytes, headers: dict[str, str]) -> None:
        import httpx
        from tenacity import Retrying, retry_if_exception, stop_after_attempt

        from console.core.backoff import BackoffPolicy  # tenacity: only when something is sent

        ws: WatchSettings = self.settings.watch
        where = f"{channel.name} {mask_url(url)}"

        def attempt(client: httpx.Client) -> None:
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.TimeoutException:
                raise DeliveryError(f"{where}: timed out after {channel.timeout_s:g}s", retryable=True) from None
            except httpx.HTTPError as exc:  # connection refused, DNS, protocol: the text may hold the URL
                raise DeliveryError(f"{where}: {type(exc).__name__}", retryable=True) from None
            code = response.status_code
            if code == 429 or code >= 500:
                raise DeliveryError(
                    f"{where}: HTTP {code}",
                    retryable=True,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
            if code >= 300:
                raise DeliveryError(f"{where}: HTTP {code} (not retried)")

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            backoff = BackoffPolicy(ws.retry_initial_s)(state)  # doubling, no jitter
            hint = getattr(exc, "retry_after", None)
            return min(hint if hint is not None else backoff, ws.retry_max_wait_s)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s; retry %d/%d in %.1fs",
                exc,
                state.attempt_number,
                ws.retry_attempts - 1,
                state.next_action.sleep if state.next_action else 0,
            )

        retrying = Retrying(
            stop=stop_after_attempt(ws.retry_attempts),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.retryable),
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        # One client (one TLS setup) for the attempts of a message; every attempt bounded by the timeout.
        with httpx.Client(timeout=channel.timeout_s, follow_redirects=False) as client:
            retrying(attempt, client)

    def _run_command(self, channel: NotifyChannel, event: dict[str, Any]) -> None:
        if not channel.command:
            raise DeliveryError(f"{channel.name}: no command configured")
        body = orjson.dumps(webhook_payload(event))
        try:
            done = subprocess.run(
                channel.command, input=body, capture_output=True, timeout=channel.timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise DeliveryError(
                f"{channel.name}: {channel.command[0]} timed out after {channel.timeout_s:g}s"
            ) from None
        except OSError as exc:
            raise DeliveryError(f"{channel.name}: cannot run {channel.command[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise DeliveryError(
                f"{channel.name}: {channel.command[0]} exited {done.returncode} {tail[0][:200]}".rstrip()
            )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After: seconds, or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
