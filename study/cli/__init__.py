"""The command line of main.py: one registry of commands, one module per command."""
