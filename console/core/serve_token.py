"""The serve token's variable, read by `nba-console serve` (console/cli/serve_command.py) and kept out
of the console's environment by the server (console/tui/serve.py): one name, in a module
both import, so the command and the server are in no import circle."""

from console.core.config_environment import SERVE_TOKEN_ENV

TOKEN_ENV = SERVE_TOKEN_ENV  # a fixed token (e.g. from Secret Manager); then it is never printed
