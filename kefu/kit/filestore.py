"""Content-addressed files on disk: attachments are stored once under their SHA-256.

Writing is atomic (temporary file, fsync, rename), so a crash leaves either the whole file or
nothing, and storing the same bytes twice is a no-op. Files sit in 256 fan-out directories
by their digest's first two hex digits: a directory is made once, not per file (the older
two-level layout of 65,536 made one for nearly every new file; its files are still found).
Callers store the bytes first and then record the hash in their transaction: a rollback
leaves at most an unreferenced file. Writing a file uses os functions on str paths: pathlib
cost more than the system calls themselves (a mail is stored per ingested message).
"""

import contextlib
import ctypes
import errno
import hashlib
import os
import stat
import sys
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
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # (os.open makes the fd non-inheritable)
TEMPORARY_NAME_TRIES = 8


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
    """Files under `root/ab/<sha256>` (256 directories, made once each), and those stored
    before that layout under `root/ab/cd/<sha256>`, which are found where they are."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = os.fspath(root)

    def path(self, sha256: str) -> Path:
        """Where the file is (either layout), or where `put` would store it."""
        _check(sha256)
        return Path(self._locate(sha256) or self._flat(sha256))

    def _flat(self, sha256: str) -> str:
        return f"{self._root}/{sha256[:2]}/{sha256}"

    def _locate(self, sha256: str) -> str | None:
        """The stored file's path (one stat in the common case), or None."""
        for path in (self._flat(sha256), f"{self._root}/{sha256[:2]}/{sha256[2:4]}/{sha256}"):
            try:
                if stat.S_ISREG(os.stat(path).st_mode):  # noqa: PTH116
                    return path
            except (FileNotFoundError, NotADirectoryError):
                continue
        return None

    def put(self, data: bytes, *, sync: bool = True) -> StoredFile:
        """Store bytes under their digest. `sync=False` leaves the flush to disk to a later
        `sync()` of the whole batch (one journal commit instead of one per file)."""
        digest = hashlib.sha256(data).hexdigest()
        if self._locate(digest) is None:
            self._write(digest, data, sync=sync)
        return StoredFile(sha256=digest, size=len(data))

    def _write(self, digest: str, data: bytes, *, sync: bool) -> None:
        """Write to a temporary file of a random name in the target's directory, then rename:
        the file is whole under its name or not there, whoever else writes the same bytes
        at the same time (the rename replaces equal bytes), and a temporary file a crashed
        writer left never stands in the way."""
        directory = f"{self._root}/{digest[:2]}"
        fd, temporary = _create_temporary(directory)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, f"{directory}/{digest}")  # noqa: PTH105
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # noqa: PTH108
            raise

    def sync(self, digests: Iterable[str]) -> None:
        """Flush files stored with `sync=False` to disk (before the rows naming them commit).
        Several at once: the file system folds concurrent fsyncs into a few journal commits
        (100 files: ~20 ms instead of ~200 ms one after the other); a batch of
        SYNCFS_MIN_FILES or more in one syncfs(2), which also makes their directories'
        new entries durable. A file that is not there fails loudly either way."""
        paths = []
        for digest in set(digests):
            _check(digest)
            path = self._locate(digest)
            if path is None:
                missing = self._flat(digest)
                raise FileNotFoundError(errno.ENOENT, "stored file is missing", missing)
            paths.append(Path(path))
        if len(paths) >= SYNCFS_MIN_FILES and _syncfs(self.root):
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
            _check(sha256)
        except NotFound:
            return False
        return self._locate(sha256) is not None

    def read(self, sha256: str) -> bytes:
        _check(sha256)
        path = self._locate(sha256)
        if path is None:
            raise NotFound("no such file")
        return Path(path).read_bytes()


def _create_temporary(directory: str) -> tuple[int, str]:
    """A new file of a random name in `directory` (made if missing), open for writing."""
    for _ in range(TEMPORARY_NAME_TRIES):
        temporary = f"{directory}/.incoming-{os.urandom(8).hex()}"
        try:
            return os.open(temporary, _CREATE, 0o600), temporary
        except FileNotFoundError:  # the directory's first file
            os.makedirs(directory, exist_ok=True)  # noqa: PTH103
            return os.open(temporary, _CREATE, 0o600), temporary
        except FileExistsError:  # someone else's temporary file, live or left by a crash
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", directory)


def _check(sha256: str) -> None:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise NotFound("no such file")
