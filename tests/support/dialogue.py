"""Conversations written as tables: what the worker sends, and what the assistant must reply.

Each row is (sent, *expected). `sent` is text typed, or ［label］ for pressing a button of the last reply.
Each expected item is a substring of the reply, or a list of the exact button labels offered.
"""

from collections.abc import Iterable, Sequence

from support.transcript import Transcript

Row = tuple[str | list[str], ...]


def run(chat: Transcript, rows: Iterable[Sequence[str | list[str]]]) -> str:
    """Plays the rows through the real engine; a failure shows the whole conversation so far."""
    said = ""
    for sent, *expected in rows:
        assert isinstance(sent, str)
        pressed = sent.startswith("［") and sent.endswith("］")
        said = chat.press(sent[1:-1]) if pressed else chat.say(sent)
        for expectation in expected:
            if isinstance(expectation, list):
                offered = chat.buttons
                assert offered == expectation, f"after {sent!r} the buttons are {offered}\n\n{chat.reading}"
            else:
                assert expectation in said, f"after {sent!r} expected {expectation!r}\n\n{chat.reading}"
    return said
