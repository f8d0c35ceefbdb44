"""Atomic file writes, as src/ModelDsl/IO/AtomicFile.cs does them, so each side cleans up after the
other's dead writers: a temporary file ``.{name}.{pid}.{hex}.tmp`` in the same folder, held under an
exclusive lock while written, flushed to disk, then renamed over the target. A failure leaves an earlier
file as it was; temporary files that killed writers left are deleted by the next write of the same file."""

import os
import re
import uuid

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def write_atomically(path, write):
    """Calls ``write(f)`` with a binary file that replaces ``path`` once ``write`` returns."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    name = os.path.basename(path)
    _delete_stale_temporary_files(folder, name)
    temp = os.path.join(folder, f".{name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "xb") as f:
            _lock(f)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise
    _fsync_folder(folder)


def _delete_stale_temporary_files(folder, name):
    """Deletes the temporary files of ``name`` whose writer (the pid in ``.{name}.{pid}.{hex}.tmp``) has died
    and that no one holds locked, as AtomicFile.cs does."""
    prefix = f".{name}."
    for entry in os.listdir(folder):
        match = _TEMPORARY.fullmatch(entry[len(prefix):]) if entry.startswith(prefix) else None
        if match is None or _running(int(match.group(1))):
            continue
        try:
            with open(os.path.join(folder, entry), "rb") as f:
                _lock(f, wait=False)
                os.remove(os.path.join(folder, entry))
        except OSError:
            pass  # held, deleted meanwhile, or not ours to delete


_TEMPORARY = re.compile(r"(\d+)\.[0-9a-f]{32}\.tmp")


def _running(pid):
    if os.name != "posix":
        return True  # Windows' os.kill would terminate it: never delete there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's
    return True


def _lock(f, wait=True):
    """An exclusive flock, as .NET's FileShare.None takes on Unix; none elsewhere."""
    if fcntl is not None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))


def _fsync_folder(folder):
    # The rename is durable once the folder's entry is on disk (POSIX); Windows cannot open folders.
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
