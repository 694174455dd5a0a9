"""Fetching a known dataset into the cache folder, each file checked against its SHA-256.

Nothing here runs unless asked (`study --download`): the default path never goes online. A file
is written under a temporary name, its SHA-256 compared with the known value, and only then
renamed into place; a mismatch leaves nothing behind and is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from study.datasets.known import KNOWN, KnownDataset, RemoteFile
from study.datasets.readers import DataError

CHUNK = 1 << 20
TIMEOUT_SECONDS = 60


def sha256_of(path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_path(known: KnownDataset, remote: RemoteFile) -> Path:
    """Where a known dataset's file is kept once fetched."""
    return known.cache_dir() / remote.filename


def verified(known: KnownDataset, remote: RemoteFile, path: Path) -> Path:
    """`path` when its SHA-256 is the known one; DataError (one line) otherwise."""
    try:
        actual = sha256_of(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if actual != remote.sha256:
        raise DataError(f"{path}: SHA-256 {actual} is not the published {known.name} file's "
                        f"{remote.sha256}; refused (delete it and fetch again with "
                        f"`{known.download_command()}`)")
    return path


def missing_files(known: KnownDataset) -> list[RemoteFile]:
    """The files of `known` not yet in the cache folder."""
    return [remote for remote in known.files if not cached_path(known, remote).is_file()]


def _fetch_one(known: KnownDataset, remote: RemoteFile, report) -> Path:
    """Download one file to a temp file beside its place, check it, rename it into place."""
    target = cached_path(known, remote)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            report(f"downloading {remote.url}")
            try:
                with urllib.request.urlopen(remote.url, timeout=TIMEOUT_SECONDS) as response:
                    for block in iter(lambda: response.read(CHUNK), b""):
                        digest.update(block)
                        out.write(block)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                raise DataError(f"could not download {remote.url} ({reason}); {known.title} "
                                f"needs it (or copy the file to {target})") from None
        if digest.hexdigest() != remote.sha256:
            raise DataError(f"{remote.url}: SHA-256 {digest.hexdigest()} is not the published "
                            f"{remote.sha256}; the download is refused and nothing was kept")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return target


def download(name: str, report=lambda line: None) -> Path:
    """Fetch the known dataset `name` into the cache folder (files already there are checked,
    not fetched again); return its folder. DataError (one line) when it cannot."""
    if name not in KNOWN:
        raise DataError(f"--download fetches a known dataset ({', '.join(KNOWN)}); "
                        f"{name} is not one")
    known = KNOWN[name]
    for remote in known.files:
        path = cached_path(known, remote)
        if path.is_file():
            verified(known, remote, path)
        else:
            _fetch_one(known, remote, report)
    return known.cache_dir()


def source_record(known: KnownDataset) -> list[dict]:
    """What a study records of a fetched dataset's files: URL and SHA-256 of each."""
    return [{"url": remote.url, "sha256": remote.sha256} for remote in known.files]
