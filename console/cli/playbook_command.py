"""`nba-console playbook list|show|run` and `nba-console audit [show RUN_ID]`."""

from __future__ import annotations

import argparse
import contextlib
import select
import shlex
import signal
import sys
import time
from datetime import UTC, datetime

from console.core import safety
from console.core.redaction import mask_text
from console.core.timefmt import for_people, to_moment
from console.playbook import model
from console.playbook.actions import RenderedStep
from console.playbook.audit import AuditLog
from console.playbook.engine import Callbacks, Cancelled, Decision, Runner, dry_run
from console.playbook.lock import LockHeld, StepStillRunning
from console.playbook.procs import group_alive, terminate_group

EXIT_REFUSED = 2


def register(sub: argparse._SubParsersAction) -> None:
    pb = sub.add_parser("playbook", help="guided rollbacks and redeploys")
    cmds = pb.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    cmds.add_parser("list", help="the playbooks").set_defaults(func=cmd_list)
    show = cmds.add_parser("show", help="a playbook's steps and exact commands")
    show.add_argument("name")
    show.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter value: the steps then show their exact argv",
    )
    show.add_argument("--json", action="store_true", help="one JSON object (steps, argv, parameters and their rules)")
    show.set_defaults(func=cmd_show)
    run = cmds.add_parser("run", help="run a playbook (asks before every step)")
    run.add_argument("name", nargs="?")
    run.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a playbook parameter")
    run.add_argument("--dry-run", action="store_true", help="print the exact commands; change nothing")
    run.add_argument("--yes", action="store_true", help="answer yes to every confirmation (needed without a TTY)")
    run.add_argument("--resume", metavar="RUN_ID", help="resume an interrupted run (re-verifies the steps it skips)")
    run.add_argument(
        "--wait",
        action="store_true",
        help="if a killed run's step is still running, wait for it to end instead of refusing",
    )
    run.set_defaults(func=cmd_run)

    audit = sub.add_parser("audit", help="past playbook runs, newest first (audit show RUN_ID for one run)")
    audit.add_argument("--oldest-first", action="store_true", help="list the oldest run first")
    audit_cmds = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    audit_show = audit_cmds.add_parser("show", help="every record of one run")
    audit_show.add_argument("run_id")
    audit_show.set_defaults(func=cmd_audit_show)
    audit.set_defaults(func=cmd_audit)


def _settings(args):
    from console.cli import settings_from_args

    return settings_from_args(args)


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise model.PlaybookError(f"--param {safety.clip(pair)!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _print_plan(book: model.Playbook, plan: list[RenderedStep]) -> None:
    print(f"{book.name}: {book.title}")
    for step in plan:
        flag = "  [dangerous]" if step.dangerous else ""
        print(f"  {step.index + 1}. {step.title}{flag}")
        print(f"     $ {step.display()}")
        print(f"     verify: {step.verification}")


def _print_preflight(checks) -> None:
    for c in checks:
        print(f"  pre-flight {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")


def cmd_list(args) -> int:
    for book in model.load_all().values():
        params = " ".join(f"{k}=<{v.type}>" for k, v in book.params.items())
        flag = " [dangerous]" if book.dangerous else ""
        print(f"{book.name:34} {book.title}{flag}" + (f"  (params: {params})" if params else ""))
    return 0


def cmd_show(args) -> int:
    from console.playbook.describe import describe, describe_text

    settings = _settings(args)
    try:
        described = describe(model.get(args.name), settings, _params(args.param))
    except model.PlaybookError as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if getattr(args, "json", False):
        import orjson

        sys.stdout.buffer.write(orjson.dumps(described, option=orjson.OPT_INDENT_2, default=str) + b"\n")
        sys.stdout.flush()
    else:
        print("\n".join(describe_text(described)))
    return 0


def _ask_or_none(prompt: str) -> str | None:
    """One line from the terminal; None at end of input (a cancel, not a typo).

    Not `input()`: a signal the kernel hands to another thread (the lease keeper, a gRPC
    thread) does not interrupt readline's wait in the main thread, so SIGTERM would wait for
    the next key. Waking every 0.2 s lets Python run the handler, which cancels the run."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    while True:
        try:
            ready = select.select([sys.stdin], [], [], 0.2)[0]
        except (OSError, ValueError):  # not a selectable stream: block on it
            ready = [sys.stdin]
        if ready:
            line = sys.stdin.readline()
            return line.rstrip("\n") if line else None


def _ask(prompt: str) -> str:
    return _ask_or_none(prompt) or ""


def _cli_callbacks() -> Callbacks:
    def confirm(step: RenderedStep) -> bool:
        return _ask(f"Run step {step.index + 1}? [y/N] ").strip().lower() in ("y", "yes")

    def type_target(step: RenderedStep) -> str | None:
        typed = _ask_or_none(f"Dangerous: type {step.target!r} to confirm: ")
        return typed.strip() if typed is not None else None

    def on_failure(step, result, why) -> Decision:
        answer = _ask(f"Step {step.index + 1} failed ({why}). [r]etry, [s]kip, [a]bort? ").strip().lower()
        return {"r": Decision.RETRY, "s": Decision.SKIP}.get(answer[:1], Decision.ABORT)

    def on_line(step, stream, line) -> None:
        print(f"    {'! ' if stream == 'stderr' else ''}{line}", flush=True)

    def on_event(event, data) -> None:
        if event == "preflight":
            _print_preflight(data["checks"])
        elif event == "step_show":
            step = data["step"]
            print(f"\n{step.index + 1}. {step.title}{'  [dangerous]' if step.dangerous else ''}")
            print(f"   $ {step.display()}", flush=True)
        elif event == "step_end":
            mark = "ok" if data["ok"] else "FAILED"
            print(f"   -> {mark} (exit {data['exit_code']}); verify: {data['verification']}", flush=True)
        elif event == "confirm_mismatch":
            left = data["left"]
            print(
                f"   that is not {data['step'].target!r}; "
                + (f"{left} tr{'y' if left == 1 else 'ies'} left" if left else "not confirmed"),
                flush=True,
            )
        elif event == "step_reverified":
            step = data["step"]
            print(f"\n{step.index + 1}. {step.title}: done earlier and still holds ({data['verification']}); skipped")
        elif event == "step_rerun":
            step = data["step"]
            print(
                f"\n{step.index + 1}. {step.title}: done earlier but no longer holds ({data['verification']}); "
                "it runs again",
                flush=True,
            )
        elif event == "notice":
            print(f"  note: {data['message']}", flush=True)
        elif event == "run_end" and data["status"] == "audit_failed":
            print(f"\n!!! AUDIT WRITE FAILED: {data['message']}", file=sys.stderr, flush=True)

    return Callbacks(
        confirm=confirm, type_target=type_target, on_failure=on_failure, on_line=on_line, on_event=on_event
    )


EXIT_INTERRUPTED = 130


def _exit_code(outcome) -> int:
    if outcome.ok:
        return 0
    if outcome.status in ("audit_failed", "preflight_failed"):
        # audit_failed: loud, the audit may not show what happened. preflight_failed: refused
        # before any step, as --dry-run refuses it. A run stopped mid-way stays 1.
        return EXIT_REFUSED
    if outcome.status == "interrupted":
        return EXIT_INTERRUPTED
    return 1


@contextlib.contextmanager
def _cancel_on_signals(runner: Runner):
    """SIGTERM and SIGHUP end the run like ctrl+c does: the first one cancels (the engine
    terminates the step's group, audits `interrupted`, releases the lock); later ones are
    ignored so the clean-up itself is not interrupted."""
    fired: list[int] = []

    def handler(signum, frame):
        runner.cancel()
        if not fired:
            fired.append(signum)
            raise Cancelled(signal.Signals(signum).name)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _handle_orphan(exc: StepStillRunning, settings, interactive: bool, wait: bool) -> bool:
    """A dead console's step still runs: wait for it, or terminate its group after the
    operator types its pgid. True when it is gone and the run may be tried again."""
    pgid = exc.step.get("pgid")
    print(f"nba-console: {exc}", file=sys.stderr)
    if not isinstance(pgid, int):  # never: the lock raises this only for a step record it parsed
        return False
    if not wait and interactive:
        answer = _ask("[w]ait for it, [t]erminate its process group, or [a]bort? ").strip().lower()[:1]
        if answer == "t":
            typed = _ask(f"Type the process group {pgid} to terminate it: ").strip()
            if typed != str(pgid):
                print("nba-console: not confirmed; nothing was terminated", file=sys.stderr)
                return False
            gone = terminate_group(int(pgid), settings.playbooks.kill_grace_s)
            print(f"process group {pgid} {'terminated' if gone else 'could not be terminated'}", file=sys.stderr)
            return gone
        wait = answer == "w"
    if not wait:
        print("nba-console: pass --wait to wait for it, or run interactively to terminate it", file=sys.stderr)
        return False
    deadline = time.monotonic() + settings.playbooks.step_timeout_s
    print(f"waiting for process group {pgid} to end ...", file=sys.stderr, flush=True)
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not group_alive(pgid)


def cmd_run(args) -> int:
    settings = _settings(args)
    try:
        if args.dry_run:
            if not args.name:
                raise model.PlaybookError("--dry-run needs a playbook name")
            book = model.get(args.name)
            # The real run's read-only pre-flight too: a plan it would refuse is refused here,
            # with its message and its exit code (2: refused before any step).
            dry = dry_run(book, settings, _params(args.param))
            print("dry run: nothing will be changed")
            _print_preflight(dry.checks)
            _print_plan(book, dry.plan)
            if dry.refusal is not None:
                print(f"nba-console: refused: {dry.refusal}", file=sys.stderr)
                return EXIT_REFUSED
            return 0
        safety.check_writable(settings, f"run playbook {safety.clip(args.resume or args.name)}")
        interactive = sys.stdin.isatty()
        if not args.yes and not interactive:
            print("nba-console: no terminal to confirm on: pass --yes to run non-interactively", file=sys.stderr)
            return EXIT_REFUSED
        if not args.name and not args.resume:
            raise model.PlaybookError("playbook run needs a NAME or --resume RUN_ID")
        params = _params(args.param)
        for _ in range(3):
            runner = Runner(settings, callbacks=_cli_callbacks(), assume_yes=args.yes)
            try:
                with _cancel_on_signals(runner):
                    outcome = runner.resume(args.resume) if args.resume else runner.run(args.name, params)
                break
            except StepStillRunning as exc:
                if not _handle_orphan(exc, settings, interactive, args.wait):
                    return EXIT_REFUSED
        else:
            return EXIT_REFUSED
    except safety.ReadOnlyError as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (model.PlaybookError, LockHeld) as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (Cancelled, KeyboardInterrupt):
        print("\nnba-console: cancelled before the run started; nothing was run", file=sys.stderr)
        return EXIT_INTERRUPTED
    stream = sys.stderr if outcome.status == "audit_failed" else sys.stdout
    print(f"\nrun {outcome.run_id}: {outcome.status} ({outcome.message})", file=stream)
    if outcome.status == "preflight_failed":  # the dry run's words, on stderr, for scripts
        print(f"nba-console: refused: {outcome.message}", file=sys.stderr)
    if outcome.resumable:
        print(f"resume with: nba-console playbook run --resume {outcome.run_id}")
    return _exit_code(outcome)


def _print_problems(read) -> None:
    for problem in read.problems():
        print(f"nba-console: {problem}", file=sys.stderr)


AUDIT_COLUMNS = ("STARTED", "RUN", "PLAYBOOK", "STATUS", "STEPS", "BACKEND", "OPERATOR", "PARAMS")


def audit_rows(runs, tz, oldest_first: bool = False) -> list[tuple[str, ...]]:
    """One row per run, newest first (the run you are asking about is usually the last one),
    times in the configured zone."""

    def started(r) -> datetime:
        return to_moment(r.started) or datetime.min.replace(tzinfo=UTC)

    rows: list[tuple[str, ...]] = []
    for r in sorted(runs, key=started, reverse=not oldest_first):
        who = str(r.operator.get("user", "?")) + (
            f" ({r.operator['gcloud_account']})" if r.operator.get("gcloud_account") else ""
        )
        params = " ".join(f"{k}={safety.clip(v, 40)}" for k, v in r.params.items())
        unknown = f" ({len(r.unknown)} unknown)" if r.unknown else ""
        rows.append(
            (
                for_people(r.started, tz, "seconds"),
                r.run_id,
                r.playbook,
                r.status,
                f"{len(r.done)}/{r.total_steps}{unknown}",
                r.backend,
                who,
                params,
            )
        )
    return rows


def columns_text(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Left-aligned columns two spaces apart, the last one unpadded (pipe- and grep-friendly)."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
        for row in [header, *rows]
    ]


def cmd_audit(args) -> int:
    settings = _settings(args)
    log = AuditLog(settings.state_dir)
    read = log.read()
    _print_problems(read)
    if read.error:
        return EXIT_REFUSED  # an unreadable audit is an error, never "no runs"
    runs = log.runs(read)
    if not runs:
        print(f"no playbook runs in {log.path}")
        return 0
    for line in columns_text(AUDIT_COLUMNS, audit_rows(runs, settings.tz, getattr(args, "oldest_first", False))):
        print(line)
    return 0


def cmd_audit_show(args) -> int:
    settings = _settings(args)
    log = AuditLog(settings.state_dir)
    read = log.read(args.run_id)
    _print_problems(read)
    if read.error:
        return EXIT_REFUSED
    if not read.records:
        print(f"nba-console: no run {safety.clip(args.run_id)}", file=sys.stderr)
        return EXIT_REFUSED
    for rec in read.records:
        line = f"{for_people(rec.ts, settings.tz, 'seconds')}  {rec.event:14}"
        if rec.step is not None:
            line += f" step {rec.step + 1}"
        if rec.argv:
            line += f"  $ {shlex.join(rec.argv)}"
        if rec.event == "step_proc":
            line += f"  pid {rec.get('pid')} pgid {rec.get('pgid')} on {rec.get('host')}"
        if rec.event == "step_end":
            line += (
                f"  {rec.outcome or ('ok' if rec.ok else 'failed')}  exit {rec.get('exit_code')} "
                f"verified={rec.get('verified')} ({rec.get('verification')})"
            )
        if rec.event in ("step_reverified", "lock_lost", "confirm_mismatch"):
            line += f"  {rec.get('verification') or rec.get('message') or ('typed ' + repr(rec.get('typed')))}"
        if rec.event == "run_end":
            line += f"  {rec.status}: {rec.get('message')}"
        # Masked again as shown: an audit written by an older console may hold a secret.
        print(mask_text(line))
        if rec.event == "step_end":
            tail = rec.get("output_tail")
            for out in tail if isinstance(tail, list) else []:
                print(mask_text(f"      | {out}"))
    summary = log.run(args.run_id)
    if summary and summary.resumable and summary.next_step is not None:
        print(f"resumable from step {summary.next_step + 1}: nba-console playbook run --resume {args.run_id}")
    return 0
