"""Content-addressed files: a batch stored without syncing is flushed to disk by sync()."""

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
