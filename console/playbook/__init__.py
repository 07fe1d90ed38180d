"""The playbook engine: definitions, rendering, executors, audit, lock. Knows nothing of Textual."""
