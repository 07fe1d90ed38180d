"""`nba-console ack` and `nba-console note`: the team's records from a shell (issue 26).

`ack CHECK [--date D] [--for 2h] --reason "…"` records who is on a failing check (its status and
headline number now, what "worse" is measured against); `ack list`, `ack clear CHECK`;
`note add "…" [--check ID]`, `note list`. Acks and notes are refused under read-only
(console/core/safety.py); every one is in the team audit (console/services/team_records.py).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

EXIT_ERROR = 2


def register(sub: argparse._SubParsersAction) -> None:
    from console.cli import _date_options
    from console.cli.watch_command import _duration

    ack = sub.add_parser(
        "ack",
        help="acknowledge a failing check (ack CHECK --reason …), or ack list / ack clear CHECK",
        description="Acknowledge a check: the watch stops reminding until the ack expires, the check "
        "recovers or it gets worse. `ack list` shows the acknowledgements, `ack clear CHECK` removes one.",
    )
    _date_options(ack)
    ack.add_argument("what", metavar="CHECK|list|clear", help="a check id, `list` or `clear`")
    ack.add_argument("check", nargs="?", metavar="CHECK", help="with `clear`: the check id")
    ack.add_argument("--for", dest="duration", type=_duration, help="how long (default team.ack_for, 2h)")
    ack.add_argument("--reason", help="why (required to acknowledge): what you are doing about it")
    ack.add_argument("--json", action="store_true", help="list: one JSON array on stdout")
    ack.set_defaults(func=cmd_ack)

    note = sub.add_parser("note", help="notes on a game date: note add TEXT [--check ID], note list")
    _date_options(note)
    note.add_argument("action", choices=["add", "list"])
    note.add_argument("text", nargs="?", help="add: the note (one line, up to 500 characters)")
    note.add_argument("--check", help="add: the check the note is about (list: only its notes)")
    note.add_argument("--json", action="store_true", help="list: one JSON array on stdout")
    note.set_defaults(func=cmd_note)


def _valid_check(check: str | None) -> str:
    from console.services.runner import SPECS

    ids = [s.id for s in SPECS]
    if check not in ids:
        raise ValueError(f"unknown check id {check!r}; valid ids: {', '.join(ids)}")
    return check


def _game_date(args: argparse.Namespace, settings, now: datetime) -> date:
    if args.game_date is not None:
        return args.game_date
    from console.backends import open_backend
    from console.services.runner import default_game_date

    backend = open_backend(settings)
    try:
        return default_game_date(backend, settings, now)
    finally:
        backend.close()


def cmd_ack(args: argparse.Namespace) -> int:
    from console.cli import settings_from_args
    from console.services.team_records import open_team_store

    settings = settings_from_args(args)
    store = open_team_store(settings)
    try:
        if args.what == "list":
            return _list_acks(settings, store, args.json)
        now = datetime.now(UTC)
        if args.what == "clear":
            check = _valid_check(args.check)
            from console.services.team_records import clear_ack

            game_date = _game_date(args, settings, now)
            gone = clear_ack(settings, store, check, game_date, "cleared by hand")
            if gone is None:
                print(f"nba-console: {check} of {game_date} is not acknowledged", file=sys.stderr)
                return 1
            print(f"cleared {gone.who}'s acknowledgement of {check} ({game_date})")
            return 0
        if args.check is not None:
            raise ValueError(f"unexpected {args.check!r}: `ack CHECK --reason …`, `ack list` or `ack clear CHECK`")
        return _acknowledge(args, settings, store, _valid_check(args.what), now)
    finally:
        store.close()


def _acknowledge(args: argparse.Namespace, settings, store, check: str, now: datetime) -> int:
    from console.backends import open_backend
    from console.core.safety import check_team_writable
    from console.core.team import headline_number
    from console.services.runner import CheckContext, default_game_date, parse_at, run_all
    from console.services.team_records import acknowledge
    from panels.dispatch import headline

    if not (args.reason or "").strip():
        raise ValueError("--reason is required: say what you are doing about it")
    check_team_writable(settings, f"acknowledge {check}")  # before a check runs for nothing
    backend = open_backend(settings)
    try:
        game_date = args.game_date or default_game_date(backend, settings, now)
        if args.at:  # acknowledged as of that moment (a replay of a morning, the demo)
            now = parse_at(args.at, game_date + settings.processing_offset, settings, now)
        result = run_all(backend, CheckContext(settings=settings, game_date=game_date, as_of=now), [check]).checks[0]
    finally:
        backend.close()
    status = result.status.value
    if status in ("ok", "unknown"):
        print(f"nba-console: {check} of {game_date} is {status}: nothing to acknowledge", file=sys.stderr)
        return 1
    ack = acknowledge(
        settings,
        store,
        check,
        game_date,
        args.reason,
        now,
        args.duration,
        status=status,
        headline=headline_number(headline(result)),
    )
    from console.core.timefmt import for_people

    until = for_people(ack.until, settings.tz)
    print(f"acknowledged {check} ({status}) of {game_date} as {ack.who} until {until}: {ack.reason}")
    return 0


def _list_acks(settings, store, as_json: bool) -> int:
    from console.core.timefmt import for_people

    now = datetime.now(UTC)
    # Every stored one: an expired ack stays until the watch (or `ack clear`) clears it, and a
    # replayed morning's acks are in the past of the wall clock.
    acks = sorted(store.acks(), key=lambda a: (a.game_date, a.check))
    if as_json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps([a.model_dump(mode="json") for a in acks], option=orjson.OPT_INDENT_2))
        sys.stdout.write("\n")
        return 0
    if not acks:
        print("no acknowledgement")
    for a in acks:
        ended = " (expired)" if a.until <= now else ""
        until = for_people(a.until, settings.tz)
        print(f"{a.game_date}  {a.check}  {a.status}  by {a.who} until {until}{ended}: {a.reason}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    from console.cli import settings_from_args
    from console.services.team_records import add_note, open_team_store

    settings = settings_from_args(args)
    if args.check is not None:
        _valid_check(args.check)
    store = open_team_store(settings)
    try:
        now = datetime.now(UTC)
        if args.action == "add":
            if not args.text:
                raise ValueError('note add needs the text: nba-console note add "…" [--check ID]')
            game_date = _game_date(args, settings, now)
            if args.at:  # written as of that moment (a replayed morning), as `ack --at`
                from console.services.runner import parse_at

                now = parse_at(args.at, game_date + settings.processing_offset, settings, now)
            note = add_note(settings, store, game_date, args.text, now, args.check)
            print(f"noted on {note.game_date}" + (f" ({note.check})" if note.check else "") + f" as {note.who}")
            return 0
        notes = store.notes(args.game_date)
        notes = [n for n in notes if args.check is None or n.check == args.check]
        if args.json:
            import orjson

            sys.stdout.buffer.write(
                orjson.dumps([n.model_dump(mode="json") for n in notes], option=orjson.OPT_INDENT_2)
            )
            sys.stdout.write("\n")
            return 0
        from console.core.timefmt import for_people

        if not notes:
            print("no notes" + (f" on {args.game_date}" if args.game_date else ""))
        for n in notes:
            about = f" [{n.check}]" if n.check else ""
            print(f"{n.game_date}{about}  {for_people(n.at, settings.tz)}  {n.who}: {n.text}")
        return 0
    finally:
        store.close()
