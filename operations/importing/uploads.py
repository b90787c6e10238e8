"""Pending uploads between the admin import page's preview and its confirmation: the files in a temporary folder,
their names in the editor's web session (the engine itself never sees a session)."""

import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from .readers import UploadedTable

_PENDING_DIR = Path(tempfile.gettempdir()) / "tracker-imports"
_SESSION_KEY = "pending_imports"


def save_pending(files, session) -> str:
    """Keep the previewed files until the editor confirms (a temporary folder, owned by this session)."""
    token = uuid.uuid4().hex
    # Previews nobody confirmed: their files are dropped after a day.
    stale = time.time() - 24 * 3600
    for old in _PENDING_DIR.glob("*") if _PENDING_DIR.exists() else []:
        if old.is_dir() and old.stat().st_mtime < stale:
            shutil.rmtree(old, ignore_errors=True)
    folder = _PENDING_DIR / token
    # Readable by the server's user only: the files hold unpublished figures, and /tmp is shared with every user.
    _PENDING_DIR.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700)
    names = []
    for index, upload in enumerate(files):
        if upload is None:
            names.append(None)
            continue
        with os.fdopen(os.open(folder / str(index), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
            file.write(upload.data)
        names.append(upload.name)
    session[_SESSION_KEY] = {**session.get(_SESSION_KEY, {}), token: names}
    return token


def load_pending(token, session):
    names = session.get(_SESSION_KEY, {}).get(token)
    if names is None or not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    folder = _PENDING_DIR / token
    files = []
    for index, name in enumerate(names):
        path = folder / str(index)
        if name is None:
            files.append(None)
        elif path.exists():
            files.append(UploadedTable(name, path.read_bytes()))
        else:
            return None
    while len(files) < 2:
        files.append(None)
    return files


def discard_pending(token, session):
    pending = dict(session.get(_SESSION_KEY, {}))
    pending.pop(token, None)
    session[_SESSION_KEY] = pending
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        shutil.rmtree(_PENDING_DIR / token, ignore_errors=True)
