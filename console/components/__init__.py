"""Screens and modals of the console (thin: they draw app state and start workers)."""
