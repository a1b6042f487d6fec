"""Content-addressed files on disk: attachments are stored once under their SHA-256.

Writing is atomic (temporary file, fsync, rename), so a crash leaves either the whole file or
nothing, and storing the same bytes twice is a no-op. Callers store the bytes first and then
record the hash in their transaction: a rollback leaves at most an unreferenced file.
"""

import ctypes
import errno
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kefu.errors import NotFound

_HEX = frozenset("0123456789abcdef")
SYNC_THREADS = 16
# From this many files a batch is flushed by one syncfs(2) of the file system instead of an
# fsync per file: 200 new files took ~35 ms of CPU and 35-55 ms to fsync from 16 threads,
# ~1 ms of CPU and 10-20 ms as one syncfs (it also writes what others left dirty on the same
# file system, so a handful of files keep their own fsyncs).
SYNCFS_MIN_FILES = 16


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_syncfs() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs_call = _load_syncfs()


def _syncfs(directory: Path) -> bool:
    """Write every dirty file and directory of the file system holding `directory` to disk
    and wait for it (Linux syncfs(2), which reports write-back errors since 5.8); False
    where the call does not exist."""
    if _syncfs_call is None:
        return False
    fd = os.open(directory, os.O_RDONLY)
    try:
        if _syncfs_call(fd) != 0:  # type: ignore[operator]
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(directory))
    finally:
        os.close(fd)
    return True


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not set(sha256) <= _HEX:
            raise NotFound("no such file")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, *, sync: bool = True) -> StoredFile:
        """Store bytes under their digest. `sync=False` leaves the flush to disk to a later
        `sync()` of the whole batch (one journal commit instead of one per file)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    if sync:
                        os.fsync(handle.fileno())
                Path(tmp).replace(target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size=len(data))

    def sync(self, digests: Iterable[str]) -> None:
        """Flush files stored with `sync=False` to disk (before the rows naming them commit).
        Several at once: the file system folds concurrent fsyncs into a few journal commits
        (100 files: ~20 ms instead of ~200 ms one after the other); a batch of
        SYNCFS_MIN_FILES or more in one syncfs(2), which also makes their directories'
        new entries durable. A file that is not there fails loudly either way."""
        paths = [self.path(digest) for digest in set(digests)]
        if len(paths) >= SYNCFS_MIN_FILES:
            for path in paths:
                if not path.is_file():
                    raise FileNotFoundError(errno.ENOENT, "stored file is missing", str(path))
            if _syncfs(self.root):
                return
        if len(paths) < 2:
            for path in paths:
                _fsync(path)
            return
        with ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(paths))) as pool:
            for _ in pool.map(_fsync, paths):  # re-raises the first failure
                pass

    def exists(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file()
        except NotFound:
            return False

    def read(self, sha256: str) -> bytes:
        path = self.path(sha256)
        if not path.is_file():
            raise NotFound("no such file")
        return path.read_bytes()
