"""Pure parsing helpers for command-line values: whole numbers and shares, with their messages.

Only argument parsing lives here: the command line (``run_scenario.py``) and the leadership
page (``app/``) read the same values the same way, so a bad value gets the same message on
both ("must be at least 1 (got 0)").  Each helper raises ``argparse.ArgumentTypeError``,
which argparse prints as the option's error and the page shows beside the field.
"""

from __future__ import annotations

import argparse


def whole_number(text: str, minimum: int) -> int:
    """A whole number of at least ``minimum``, from its text.

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a whole number, or is below ``minimum``.
    """
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if number < minimum:
        raise argparse.ArgumentTypeError(
            f"must be at least 1 (got {number})" if minimum == 1
            else f"must be {minimum} or more (got {number})")
    return number


def positive_int(text: str) -> int:
    """A whole number of at least 1 (replications, workers, samples)."""
    return whole_number(text, 1)


def non_negative_int(text: str) -> int:
    """A whole number of at least 0 (a seed, a count that may be none)."""
    return whole_number(text, 0)


def share(text: str) -> float:
    """A share strictly between 0 and 1, written as a fraction (0.02, not 2)."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, e.g. 0.02 (got {number})")
    return number


def port(text: str) -> int:
    """A TCP port number, 0 to 65535 (0: any free port, which the program then names)."""
    number = whole_number(text, 0)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"must be 65535 or less (got {number})")
    return number
