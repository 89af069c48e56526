"""The ``astrolearn`` command.

Each sub-command lives in its own module, which provides ``configure(parser)`` to add
its options and ``run(args) -> int`` (or ``configure_<name>``/``run_<name>`` when one
module serves two commands). Those modules import only the standard library at top
level, so that building the parser stays fast; the heavy imports happen in ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "serve": ("astrolearn.serve", "serve the gallery and the apps with Voila (offline)"),
    "lab": ("astrolearn.serve", "open JupyterLab on the lessons"),
    "book": ("astrolearn.book", "build the course website (Jupyter Book 1)"),
    "mirror": ("astrolearn.vo.mirror", "start, stop or check the local VO mirror (DaCHS)"),
    "grade": ("astrolearn.grading.cycle", "run the nbgrader cycle for an assignment"),
    "data": ("astrolearn.data.cli", "list, describe and cite the bundled datasets"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="astrolearn", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if not module_name.startswith(error.name or "\0"):
                raise
            command_parser.set_defaults(unavailable=f"{name}: not available in this build")
            continue
        configure = getattr(module, f"configure_{name}", None) or module.configure
        configure(command_parser)
        command_parser.set_defaults(module=module, command_name=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "unavailable", None):
        print(args.unavailable, file=sys.stderr)
        return 2
    run = getattr(args.module, f"run_{args.command_name}", None) or args.module.run
    return int(run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
