"""The services the CLI and the TUI share: run the checks (runner), read history, watch and notify,
render the report, keep panel state and the timeline. Over panels and the playbook engine; below the
CLI and the TUI (pyproject.toml's import contracts)."""
