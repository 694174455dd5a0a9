"""The headless commands of main.py: one module per command, each with NAME, HELP,
add_arguments(parser) and run(args) -> exit status; COMMANDS builds main.py's parser."""

from __future__ import annotations

from study.cli import compare, evaluate, export, export_kernels, listing, study, sweep

# In the order `main.py --help` lists them.
COMMANDS = (study, export, export_kernels, listing, compare, sweep, evaluate)


def add_commands(subparsers) -> None:
    """One subparser per command on `subparsers` (argparse's add_subparsers)."""
    for command in COMMANDS:
        command.add_arguments(subparsers.add_parser(command.NAME, help=command.HELP))


def run_command(args) -> int:
    """Run the command `args.command` names; its exit status."""
    (command,) = [c for c in COMMANDS if c.NAME == args.command]
    return command.run(args)
