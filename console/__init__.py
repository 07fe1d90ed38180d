"""nba-console: the on-call engineer's console for the NBA props platform."""

__version__ = "0.1.0"
