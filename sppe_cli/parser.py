"""An ``argparse`` parser that speaks French: usage line, help headings and the error
messages argparse itself writes (missing argument, unknown choice…). Our own messages
are French already; argparse's are English, and the command line shows no English."""

from __future__ import annotations

import argparse
import re
import sys

# argparse's own error messages (Python 3.11 to 3.13) and their French versions.
_ERRORS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"the following arguments are required: (.*)"), r"arguments obligatoires : \1"),
    (
        re.compile(r"argument (.*?): invalid choice: '?(.*?)'? \(choose from (.*)\)"),
        lambda m: (
            f"argument {m[1]} : valeur « {m[2]} » inconnue (valeurs possibles : "
            + m[3].replace("'", "")
            + ")"
        ),
    ),
    (re.compile(r"unrecognized arguments: (.*)"), r"arguments non reconnus : \1"),
    (
        re.compile(r"argument (.*?): expected one argument"),
        r"argument \1 : une valeur est attendue",
    ),
    (
        re.compile(r"argument (.*?): invalid int value: (.*)"),
        r"argument \1 : nombre entier invalide \2",
    ),
    (
        re.compile(r"argument (.*?): not allowed with argument (.*)"),
        r"argument \1 : incompatible avec \2",
    ),
    (
        re.compile(r"argument (.*?): ignored explicit argument (.*)"),
        r"argument \1 : valeur \2 en trop",
    ),
    (re.compile(r"ambiguous option: (.*?) could match (.*)"), r"option ambiguë \1 (\2)"),
    (re.compile(r"argument (.*?): (.*)"), r"argument \1 : \2"),  # our own French messages
]


def french_error(message: str) -> str:
    for pattern, replacement in _ERRORS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse passes prefix="" when it builds a subcommand's name: keep that one.
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchParser(argparse.ArgumentParser):
    """Subparsers made from it are FrenchParsers too (argparse uses the parent's class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="affiche cette aide"
        )

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_error(message)}\n")
