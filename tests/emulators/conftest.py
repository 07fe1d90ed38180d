from tests.emulators.fixtures import *  # noqa: F403 - the fixtures, which pytest finds by name
from tests.emulators.fixtures import STARTUP_TIMES


def pytest_terminal_summary(terminalreporter):
    if STARTUP_TIMES:
        terminalreporter.write_sep("-", "emulator startup (spawn -> ready)")
        for name, secs in sorted(STARTUP_TIMES.items()):
            terminalreporter.write_line(f"{name:10s} {secs:6.2f}s")
