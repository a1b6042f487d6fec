"""`kefu email import` splits an mbox exactly as the standard library's `mailbox.mbox` does,
without its line-by-line reading."""

import mailbox
from pathlib import Path

import pytest

from kefu.channels.email.mail_import import Source

MBOXES = {
    "blank lines between": (
        b"From a@x Mon\nSubject: 1\n\nbody one\n\nFrom b@x Tue\nSubject: 2\n\ntwo\n"
    ),
    "no blank line between": b"From a\nSubject: 1\n\none\nFrom b\nSubject: 2\n\ntwo",
    "ends with a blank line": b"From a\nSubject: 1\n\none\n\n",
    "quoted and unquoted From in a body": (
        b"From a\nSubject: 1\n\n>From here on\nFrom there on\nend\n\nFrom c\n\nthree\n"
    ),
    "two blank lines and CRLF": (
        b"From a\r\nSubject: 1\r\n\r\none\r\n\n\nFrom b\nSubject: 2\n\n\n"
    ),
    "empty message": b"From a\nFrom b\nSubject: 2\n\ntwo\n",
    "blank line right after the From line": b"From a\n\nFrom b\n\n",
    "text before the first From line": b"junk\n\nFrom a\nSubject: 1\n\none\n",
    "no final newline": b"From a\nSubject: 1\n\nlast line",
}


@pytest.mark.parametrize("name", list(MBOXES))
def test_messages_are_split_as_the_standard_library_splits_them(tmp_path: Path, name: str) -> None:
    # given an mbox with a shape real exports have
    path = tmp_path / "mail.mbox"
    path.write_bytes(MBOXES[name])
    box = mailbox.mbox(path, create=False)
    expected = [box.get_bytes(key) for key in box.iterkeys()]
    box.close()
    # when kefu reads it
    source = Source(path, is_mbox=True)
    read = [raw for _, raw in source.messages()]
    # then it holds the same messages, byte for byte, and counts them alike
    assert read == expected
    assert source.count() == len(expected)
    assert [label for label, _ in source.messages()][-1].endswith(f"#{len(expected)}")


def test_stopping_early_releases_the_file(tmp_path: Path) -> None:
    # given a long mbox of which an import reads only the first message (it was interrupted)
    path = tmp_path / "mail.mbox"
    path.write_bytes(b"".join(b"From a\nSubject: %d\n\nbody\n\n" % n for n in range(50)))
    messages = Source(path, is_mbox=True).messages()
    assert next(messages)[1] == b"Subject: 0\n\nbody\n"
    # when the reader is closed there, then nothing complains and the file can be replaced
    messages.close()
    path.write_bytes(b"From b\n\nnew\n")
    assert [raw for _, raw in Source(path, is_mbox=True).messages()] == [b"\nnew\n"]
