"""Content-addressed files: a batch stored without syncing is flushed to disk by sync()."""

from pathlib import Path

import pytest

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
