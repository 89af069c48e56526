"""The ``astrolearn`` command.

Each sub-command lives in its own module, which provides ``configure(parser)`` to add
its options and ``run(args) -> int`` (or ``configure_<name>``/``run_<name>`` when one
module serves two commands). Those modules import only the standard library at top
level, so that building the parser stays fast; the heavy imports happen in ``run``.
Help is plain text and shows every option's default.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys

import astrolearn
from astrolearn import content

DESCRIPTION = (
    "astrolearn: lessons in astroinformatics on real survey data. Serve the public apps, "
    "open the lessons in JupyterLab, build the course website, grade assignments."
)
EPILOG = "Run 'astrolearn COMMAND --help' for the options of a command."
COMMANDS = {
    "serve": ("astrolearn.serve", "serve the gallery and the apps with Voila (offline)"),
    "lab": ("astrolearn.serve", "open JupyterLab on the lessons"),
    "book": ("astrolearn.book", "build the course website (Jupyter Book 1)"),
    "mirror": ("astrolearn.vo.mirror", "start, stop or check the local VO mirror (DaCHS)"),
    "grade": ("astrolearn.grading.cycle", "run the nbgrader cycle for an assignment"),
    "data": ("astrolearn.data.cli", "list, describe and cite the bundled datasets"),
    "classroom": ("astrolearn.classroom", "write and start a JupyterHub for a class (root)"),
}


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (line breaks kept), with each option's default added to its text.

    Options whose text already names their default, flags and options without a
    default are left as they are.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or "default" in text
            or default is None
            or default is False
            or default == argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose sub-commands and steps share its help format, and which
    answers a mistyped choice (a command, a step) with the nearest one."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        # argparse's own check lists every choice; a typo deserves the one meant.
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        near = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"Did you mean {near[0]!r}? " if near else ""
        raise argparse.ArgumentError(
            action,
            f"{value!r} is not one of: {', '.join(choices)}. {hint}See '{self.prog} --help'.",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="astrolearn", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument(
        "--version", action="version", version=f"astrolearn {astrolearn.__version__}"
    )
    # Also before the command (astrolearn --content D lab); the command's own option,
    # after it, is a separate argument whose default would hide this one: see parse().
    content.add_option(parser, dest="content_before_command")
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


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--content`` may come before the command or after it.

    Examples
    --------
    >>> parse(["--content", "mine", "lab"]).content
    PosixPath('mine')
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    before = vars(args).pop("content_before_command")
    if before is not None and args.command is not None:
        if not hasattr(args, "content"):
            parser.error(f"{args.command} uses no content root: leave out --content")
        if args.content is None:
            args.content = before
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.command is None:
        build_parser().print_help()
        return 0
    if getattr(args, "unavailable", None):
        print(args.unavailable, file=sys.stderr)
        return 2
    root = getattr(args, "content", None)
    if root is not None and not root.is_dir():
        # Refused before any step: a step that needs no content would otherwise ignore it.
        print(
            f"astrolearn {args.command}: --content {root} is not a folder. {content.WHAT}",
            file=sys.stderr,
        )
        return 2
    run = getattr(args.module, f"run_{args.command_name}", None) or args.module.run
    try:
        return int(run(args) or 0)
    except content.ContentError as error:
        print(f"astrolearn {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
