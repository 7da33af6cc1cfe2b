"""What a ``# noqa`` comment names: flake8's grammar, codes are letters then digits."""

from __future__ import annotations

import pytest

from loopguard.suppress import noqa_codes, silenced_by_noqa


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        ("# noqa", ()),
        ("# noqa: LG101", ("LG101",)),
        ("# noqa:LG101,LG2", ("LG101", "LG2")),
        ("# noqa: LG101, E501 LG2", ("LG101", "E501", "LG2")),
        ("# noqa: LG201 slow on purpose", ("LG201",)),
        ("# noqa: lg201 - known", ("LG201",)),
        ("# type: ignore  # noqa: LG101", ("LG101",)),
        ("# just a comment", None),
    ],
)
def test_codes_named_by_a_noqa_comment(comment: str, codes: tuple[str, ...] | None) -> None:
    assert noqa_codes(comment) == codes


def test_an_explanation_after_the_codes_silences_only_those_codes() -> None:
    assert silenced_by_noqa("LG201", "# noqa: LG201 slow on purpose")
    assert not silenced_by_noqa("LG101", "# noqa: LG201 slow on purpose")
