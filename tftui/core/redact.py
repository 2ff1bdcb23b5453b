"""Taking secrets out of text before it is shown or logged: ``scheme://user:password@host`` -> ``user:***@``.

A config API, keystone or proxy URL may carry credentials; the URL then travels into error messages
(httpx names the URL it failed on) and from there into the log, the UI and stderr.
"""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@]*):([^/\s@]*)@")


def redact(text: str) -> str:
    return _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:***@", text)


def has_url_password(text: str) -> bool:
    return any(m.group(3) for m in _USERINFO.finditer(text))
