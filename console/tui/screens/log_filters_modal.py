"""The log screen's small prompts: a name for the filter being saved (`ctrl+s`), the list of
saved filters (`F`: enter applies one, `d` deletes it), and the files to open (`o`).

Each dismisses with what was chosen (None when cancelled); the log screen does the rest.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

_BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80%; max-width: 100; height: auto; max-height: 80%;
                     border: thick $accent; background: $surface; padding: 0 1; }}
{name} .prompt-note {{ color: $text-muted; height: auto; }}
{name} .prompt-error {{ color: $text-error; height: auto; }}
"""


class FilterNameModal(ModalScreen[str | None]):
    """The name to save the filter box's text under."""

    HELP_SECTION = (104, "Logs: naming a saved filter")  # where `?` lists its keys

    DEFAULT_CSS = _BOX_CSS.format(name="FilterNameModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="close_filter_name")]

    def __init__(self, text: str, taken: list[str]) -> None:
        super().__init__()
        self.text, self.taken = text, taken

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"save the filter  {self.text}"), classes="prompt-note")
            yield Input(placeholder="a name (enter saves; a name in use is replaced)", id="filter-name")
            yield Static("", id="filter-name-error", classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = "Save filter"
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        from console.services.saved_filters import check_name

        try:
            self.dismiss(check_name(event.value))
        except ValueError as exc:
            self.query_one("#filter-name-error", Static).update(Text(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavedFiltersModal(ModalScreen[str | None]):
    """The saved filters; dismissed with the chosen one's text."""

    HELP_SECTION = (106, "Logs: the saved filters")  # where `?` lists its keys

    DEFAULT_CSS = _BOX_CSS.format(name="SavedFiltersModal")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="close_saved_filters"),
        Binding("d", "delete", "Delete", id="delete_saved_filter"),
    ]

    def __init__(self, filters: dict[str, str], on_delete) -> None:
        super().__init__()
        self.filters, self.on_delete = dict(filters), on_delete

    def compose(self) -> ComposeResult:
        with Vertical():
            yield OptionList(*self._options(), id="saved-filters")
            yield Static(self._note(), classes="prompt-note", id="saved-filters-note")

    def _options(self) -> list[Option]:
        return [Option(Text.assemble((name, "bold"), "  ", text), id=name) for name, text in self.filters.items()]

    def _note(self) -> str:
        if not self.filters:
            return "no saved filters yet: type one in the filter box (/), then ctrl+s"
        return "enter applies the filter · d deletes it · escape closes"

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = "Saved filters"
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.filters.get(str(event.option.id)))

    def action_delete(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.filters:
            return
        name = str(options.get_option_at_index(options.highlighted).id)
        self.filters.pop(name, None)
        self.on_delete(name)
        options.clear_options()
        options.add_options(self._options())
        self.query_one("#saved-filters-note", Static).update(self._note())

    def action_cancel(self) -> None:
        self.dismiss(None)


class OpenFilesModal(ModalScreen[str | None]):
    """Paths of exported log files (or folders) to open, separated by spaces."""

    HELP_SECTION = (108, "Logs: opening exported files")  # where `?` lists its keys

    DEFAULT_CSS = _BOX_CSS.format(name="OpenFilesModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="close_open_files")]

    def __init__(self, error: str | None = None, value: str = "") -> None:
        super().__init__()
        self.error, self.value = error, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "an export (gcloud logging read --format=json, or NDJSON), several, or a folder of them; "
                "add --newest-first for the newest entry at the top",
                classes="prompt-note",
            )
            yield Input(value=self.value, placeholder="/path/to/export.json  (enter opens)", id="open-files")
            yield Static(Text(self.error or ""), id="open-files-error", classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = "Open log files"
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
