"""Shared pieces of the property tests: secret-looking values and the echo check.

A *secret* here is a string no error message has any reason to contain: uppercase letters,
digits and punctuation (templates, paths and field names in these tests are lowercase).
An error echoes a secret when it contains any :data:`WINDOW`-character slice of it that
holds at least three letters, so a partial or escaped echo is caught too, while the
digits and punctuation that any message may contain on its own are not mistaken for one.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st

BOUNDED = settings(database=None, deadline=10_000, print_blob=True)
"""What every property test here runs with: a per-example deadline, and no example database
(the tree is shared and strategies change: a stale stored example is noise, not a finding;
a failure prints the blob that reproduces it with ``@reproduce_failure``).

The deadline, like each test's ``WALL_CLOCK``, is a hang detector, not a benchmark: an
example takes milliseconds, and CI machines shared with benchmarks can be 10x slower."""

QUIET_ABOUT_RANDOM = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
"""Hypothesis warns when the global ``random`` state moves while it draws an example. In a
full run the session's in-process operators keep running in background threads, and their
work queues draw jitter from ``random``: that warning (an error under ``-W error``) is
about them, not about these strategies, which use no ``random``."""

WINDOW = 10
SECRET_ALPHABET = string.ascii_uppercase + string.digits + "!#%*+,-./:;=?@[]^_{|}~ ()'\"\\$<>&"

_upper = st.text(alphabet=string.ascii_uppercase, min_size=4, max_size=10)
secrets = st.builds(
    lambda head, middle, tail: head + middle + tail,
    _upper,
    st.text(SECRET_ALPHABET, min_size=2, max_size=20),
    _upper,
)
"""A secret value: letters at both ends, so a slice of it can always be recognised."""


def slices(value: str) -> set[str]:
    return {
        value[i : i + WINDOW]
        for i in range(len(value) - WINDOW + 1)
        if sum(c.isalpha() for c in value[i : i + WINDOW]) >= 3
    }


def echoed(message: str, values: Iterable[str]) -> list[str]:
    """The secret values of which ``message`` repeats a recognisable slice."""
    return [v for v in values if any(s in message for s in slices(v))]


def attempt(
    fn: Callable[..., Any], *args: Any, expected: type[BaseException] = Exception
) -> tuple[Any, BaseException | None]:
    """``(result, None)``, or ``(None, error)`` when ``fn`` raised ``expected`` (anything else propagates)."""
    try:
        return fn(*args), None
    except expected as error:
        return None, error
