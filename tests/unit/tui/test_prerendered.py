"""Issue 13 (start): a panel body is rendered once per width and replayed; the replay must be
exactly what rendering it gives, at any width, and count the lines Textual would count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from console.tui.prerendered import WIDTHS_KEPT, Prerendered
from tests.helpers.examples import examples


def _body(words: list[str]) -> Group:
    table = Table(expand=True, show_edge=False, box=None, header_style="bold underline", pad_edge=False)
    table.add_column("", width=3, no_wrap=True)
    table.add_column("metric")
    table.add_column("value", overflow="ellipsis", ratio=1)
    for i, word in enumerate(words):
        table.add_row(Text("[✓]", style="bold green"), word, Text(word * (i + 1), style="red"))
    return Group(Text("ok ", style="bold"), Text(" ".join(words), style="italic"), table)


def _console() -> Console:
    return Console(width=120, color_system="truecolor", force_terminal=True, legacy_windows=False)


@settings(max_examples=examples(60), deadline=None)
@given(
    words=st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12), max_size=6),
    width=st.integers(min_value=1, max_value=120),
    height=st.none() | st.integers(min_value=1, max_value=30),
)
def test_the_replay_is_the_rendering(words, width, height):
    console = _console()
    options = console.options.update(width=width, height=height, highlight=False)
    direct = list(console.render(_body(words), options))
    body = Prerendered(_body(words))
    assert list(console.render(body, options)) == direct
    assert list(console.render(body, options)) == direct  # and again, from the cache
    assert body.line_count(console, options) == sum(text.count("\n") for text, _, _ in direct)


def test_one_rendering_per_width_and_only_the_last_widths_kept():
    console = _console()
    renders = []

    class Counted:
        def __rich_console__(self, console, options):
            renders.append(options.max_width)
            yield Text("x" * 30)

    body = Prerendered(Counted())
    for width in (10, 10, 20, 10, 20):
        list(console.render(body, console.options.update_width(width)))
    assert renders == [10, 20]
    for width in range(30, 30 + WIDTHS_KEPT):  # pushes 10 and 20 out
        list(console.render(body, console.options.update_width(width)))
    list(console.render(body, console.options.update_width(10)))
    assert renders[-1] == 10 and len(renders) == 2 + WIDTHS_KEPT + 1
