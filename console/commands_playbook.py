"""`nba-console playbook list|show|run` and `nba-console audit [show RUN_ID]`."""

from __future__ import annotations

import argparse
import sys

from . import safety
from .playbook import model
from .playbook.actions import RenderedStep
from .playbook.audit import AuditLog
from .playbook.engine import Callbacks, Decision, Runner, dry_run
from .playbook.lock import LockHeld

EXIT_REFUSED = 2


def register(sub: argparse._SubParsersAction) -> None:
    pb = sub.add_parser("playbook", help="guided rollbacks and redeploys")
    cmds = pb.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    cmds.add_parser("list", help="the playbooks").set_defaults(func=cmd_list)
    show = cmds.add_parser("show", help="a playbook's steps and exact commands")
    show.add_argument("name")
    show.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    show.set_defaults(func=cmd_show)
    run = cmds.add_parser("run", help="run a playbook (asks before every step)")
    run.add_argument("name", nargs="?")
    run.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a playbook parameter")
    run.add_argument("--dry-run", action="store_true", help="print the exact commands; change nothing")
    run.add_argument("--yes", action="store_true", help="answer yes to every confirmation (needed without a TTY)")
    run.add_argument("--resume", metavar="RUN_ID", help="resume an interrupted run from its first unfinished step")
    run.set_defaults(func=cmd_run)

    audit = sub.add_parser("audit", help="past playbook runs (audit show RUN_ID for one run)")
    audit_cmds = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    audit_show = audit_cmds.add_parser("show", help="every record of one run")
    audit_show.add_argument("run_id")
    audit_show.set_defaults(func=cmd_audit_show)
    audit.set_defaults(func=cmd_audit)


def _settings(args):
    from .cli import settings_from_args

    return settings_from_args(args)


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise model.PlaybookError(f"--param {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def _print_plan(book: model.Playbook, plan: list[RenderedStep]) -> None:
    print(f"{book.name}: {book.title}")
    for step in plan:
        flag = "  [dangerous]" if step.dangerous else ""
        print(f"  {step.index + 1}. {step.title}{flag}")
        print(f"     $ {step.display()}")
        print(f"     verify: {step.verification}")


def cmd_list(args) -> int:
    for book in model.load_all().values():
        params = " ".join(f"{k}=<{v.type}>" for k, v in book.params.items())
        flag = " [dangerous]" if book.dangerous else ""
        print(f"{book.name:34} {book.title}{flag}" + (f"  (params: {params})" if params else ""))
    return 0


def cmd_show(args) -> int:
    settings = _settings(args)
    try:
        book = model.get(args.name)
        if book.params and not args.param:
            _print_plan_unrendered(book)
            return 0
        _print_plan(book, book.render(settings, _params(args.param)))
    except model.PlaybookError as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def _print_plan_unrendered(book: model.Playbook) -> None:
    print(f"{book.name}: {book.title}")
    for name, spec in book.params.items():
        print(f"  param {name} ({spec.type}): {spec.description}")
    for i, step in enumerate(book.steps):
        print(f"  {i + 1}. {step.title}  ({step.action} {step.params})")
    print("  (pass --param KEY=VALUE to see the exact commands)")


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        return ""


def _cli_callbacks() -> Callbacks:
    def confirm(step: RenderedStep) -> bool:
        return _ask(f"Run step {step.index + 1}? [y/N] ").strip().lower() in ("y", "yes")

    def type_target(step: RenderedStep) -> str:
        return _ask(f"Dangerous: type {step.target!r} to confirm: ").strip()

    def on_failure(step, result, why) -> Decision:
        answer = _ask(f"Step {step.index + 1} failed ({why}). [r]etry, [s]kip, [a]bort? ").strip().lower()
        return {"r": Decision.RETRY, "s": Decision.SKIP}.get(answer[:1], Decision.ABORT)

    def on_line(step, stream, line) -> None:
        print(f"    {'! ' if stream == 'stderr' else ''}{line}", flush=True)

    def on_event(event, data) -> None:
        if event == "preflight":
            for c in data["checks"]:
                print(f"  pre-flight {'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}")
        elif event == "step_show":
            step = data["step"]
            print(f"\n{step.index + 1}. {step.title}{'  [dangerous]' if step.dangerous else ''}")
            print(f"   $ {step.display()}", flush=True)
        elif event == "step_end":
            mark = "ok" if data["ok"] else "FAILED"
            print(f"   -> {mark} (exit {data['exit_code']}); verify: {data['verification']}", flush=True)

    return Callbacks(confirm=confirm, type_target=type_target, on_failure=on_failure, on_line=on_line, on_event=on_event)


def cmd_run(args) -> int:
    settings = _settings(args)
    try:
        if args.dry_run:
            if not args.name:
                raise model.PlaybookError("--dry-run needs a playbook name")
            book = model.get(args.name)
            plan = dry_run(book, settings, _params(args.param))
            print("dry run: nothing will be changed")
            _print_plan(book, plan)
            return 0
        safety.check_writable(settings, f"run playbook {args.resume or args.name}")
        if not args.yes and not sys.stdin.isatty():
            print("nba-console: no terminal to confirm on: pass --yes to run non-interactively", file=sys.stderr)
            return EXIT_REFUSED
        if not args.name and not args.resume:
            raise model.PlaybookError("playbook run needs a NAME or --resume RUN_ID")
        runner = Runner(settings, callbacks=_cli_callbacks(), assume_yes=args.yes)
        outcome = runner.resume(args.resume) if args.resume else runner.run(args.name, _params(args.param))
    except safety.ReadOnlyError as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (model.PlaybookError, LockHeld) as exc:
        print(f"nba-console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"\nrun {outcome.run_id}: {outcome.status} ({outcome.message})")
    if not outcome.ok:
        print(f"resume with: nba-console playbook run --resume {outcome.run_id}")
    return 0 if outcome.ok else 1


def cmd_audit(args) -> int:
    settings = _settings(args)
    runs = AuditLog(settings.state_dir).runs()
    if not runs:
        print(f"no playbook runs in {AuditLog(settings.state_dir).path}")
        return 0
    for r in runs:
        who = r.operator.get("user", "?") + (f" ({r.operator['gcloud_account']})" if r.operator.get("gcloud_account") else "")
        params = " ".join(f"{k}={v}" for k, v in r.params.items())
        print(f"{r.run_id}  {r.started}  {r.playbook:32} {r.status:16} {len(r.done)}/{r.total_steps} steps  "
              f"{r.backend}  {who}{'  ' + params if params else ''}")
    return 0


def cmd_audit_show(args) -> int:
    settings = _settings(args)
    log = AuditLog(settings.state_dir)
    records = log.records(args.run_id)
    if not records:
        print(f"nba-console: no run {args.run_id}", file=sys.stderr)
        return EXIT_REFUSED
    import shlex

    for rec in records:
        line = f"{rec['ts']}  {rec['event']:14}"
        if "step" in rec:
            line += f" step {rec['step'] + 1}"
        if rec.get("argv"):
            line += f"  $ {shlex.join(rec['argv'])}"
        if rec["event"] == "step_end":
            line += f"  exit {rec.get('exit_code')} verified={rec.get('verified')} ({rec.get('verification')})"
        if rec["event"] == "run_end":
            line += f"  {rec.get('status')}: {rec.get('message')}"
        print(line)
        if rec["event"] == "step_end":
            for out in rec.get("output_tail") or []:
                print(f"      | {out}")
    summary = log.run(args.run_id)
    if summary and summary.resumable:
        print(f"resumable from step {summary.next_step + 1}: nba-console playbook run --resume {args.run_id}")
    return 0
