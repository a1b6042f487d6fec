"""Content-addressed files: the layout, atomic and concurrent writes, and a batch stored
without syncing flushed to disk by sync()."""

import errno
import hashlib
import os
from pathlib import Path

import pytest

from kefu.kit import filestore
from kefu.kit.filestore import FileStore


def test_a_batch_stored_unsynced_is_synced_and_readable(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    blobs = [f"attachment {n}".encode() for n in range(40)]
    digests = [files.put(blob, sync=False).sha256 for blob in blobs]
    files.sync([*digests, digests[0]])  # the same file twice is synced once
    assert [files.read(digest) for digest in digests] == blobs


def test_sync_of_a_missing_file_fails_loudly(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    stored = files.put(b"kept", sync=False).sha256
    missing = "0" * 64
    with pytest.raises(FileNotFoundError):
        files.sync([stored, missing])


def test_a_large_batch_is_flushed_by_one_file_system_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if filestore._syncfs_call is None:
        pytest.skip("syncfs(2) is Linux only")
    calls = {"fsync": 0, "syncfs": 0}
    real_fsync, real_syncfs = filestore._fsync, filestore._syncfs_call

    def fsync(path: Path) -> None:
        calls["fsync"] += 1
        real_fsync(path)

    def syncfs(fd: int) -> int:
        calls["syncfs"] += 1
        return real_syncfs(fd)  # type: ignore[operator, no-any-return]

    monkeypatch.setattr(filestore, "_fsync", fsync)
    monkeypatch.setattr(filestore, "_syncfs_call", syncfs)
    files = FileStore(tmp_path / "files")
    blobs = [f"mail {n}".encode() for n in range(filestore.SYNCFS_MIN_FILES)]
    digests = [files.put(blob, sync=False).sha256 for blob in blobs]
    files.sync(digests)
    assert calls == {"fsync": 0, "syncfs": 1}
    files.sync(digests[:3])  # a few files keep their own fsyncs
    assert calls == {"fsync": 3, "syncfs": 1}
    assert [files.read(digest) for digest in digests] == blobs


def test_a_large_batch_with_a_missing_file_fails_loudly(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    digests = [files.put(f"{n}".encode(), sync=False).sha256 for n in range(40)]
    with pytest.raises(FileNotFoundError):
        files.sync([*digests, "0" * 64])


def test_new_files_make_one_directory_per_first_two_hex_digits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real_mkdir = os.mkdir

    def mkdir(path: str, *args: object, **kwargs: object) -> None:
        made.append(os.fspath(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", mkdir)
    files = FileStore(tmp_path / "files")
    digests = [files.put(f"mail {n}".encode(), sync=False).sha256 for n in range(600)]
    # the root once, then one directory per first byte of the digest: not one per file
    assert len(made) == 1 + len({digest[:2] for digest in digests})
    assert files.path(digests[0]) == tmp_path / "files" / digests[0][:2] / digests[0]
    made.clear()  # more files: only prefixes not seen yet make a directory
    again = [files.put(f"mail {n}".encode(), sync=False).sha256 for n in range(600, 700)]
    new_prefixes = {d[:2] for d in again} - {d[:2] for d in digests}
    assert sorted(made) == sorted(f"{files.root}/{prefix}" for prefix in new_prefixes)


def test_files_of_the_two_level_layout_are_still_found(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    data = b"stored before the 256-directory layout"
    digest = hashlib.sha256(data).hexdigest()
    old = tmp_path / "files" / digest[:2] / digest[2:4] / digest
    old.parent.mkdir(parents=True)
    old.write_bytes(data)
    assert files.path(digest) == old
    assert files.exists(digest) and files.read(digest) == data
    assert files.put(data, sync=False).sha256 == digest  # no second copy
    assert not (tmp_path / "files" / digest[:2] / digest).exists()
    files.sync([digest] * 20)
    files.sync([digest])


def test_a_write_that_fails_leaves_neither_the_file_nor_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = FileStore(tmp_path / "files")
    files.put(b"makes the directory")
    data = b"x" * 100_000
    real_write = os.write

    def full_disk(fd: int, chunk: bytes) -> int:
        real_write(fd, bytes(chunk)[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        files.put(data)
    monkeypatch.undo()
    digest = hashlib.sha256(data).hexdigest()
    assert not files.exists(digest)
    assert list((tmp_path / "files").rglob(".incoming-*")) == []
    assert files.read(files.put(data).sha256) == data


def test_a_temporary_file_left_by_a_crashed_writer_does_not_block_a_put(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"a customer's mail"
    digest = hashlib.sha256(data).hexdigest()
    directory = tmp_path / "files" / digest[:2]
    directory.mkdir(parents=True)
    names = iter([b"\x00" * 8, b"\x00" * 8, b"\x01" * 8])
    stale = directory / (".incoming-" + "00" * 8)
    stale.write_bytes(b"half a mail")  # a writer died here
    monkeypatch.setattr(os, "urandom", lambda size: next(names))
    files = FileStore(tmp_path / "files")
    assert files.put(data, sync=False).sha256 == digest
    assert files.read(digest) == data
    assert stale.read_bytes() == b"half a mail"  # maybe a live writer's: left alone


def test_two_writers_of_the_same_bytes_at_once_both_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second writer finishes between the first one's write and its rename."""
    first, second = FileStore(tmp_path / "files"), FileStore(tmp_path / "files")
    data = b"the same mail delivered to two of our addresses"
    real_replace = os.replace
    raced: list[str] = []

    def replace(source: str, target: str) -> None:
        if not raced:
            raced.append("racing")
            raced.append(second.put(data).sha256)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    digest = first.put(data).sha256
    assert raced == ["racing", digest]
    assert first.read(digest) == data
    assert list((tmp_path / "files").rglob(".incoming-*")) == []
