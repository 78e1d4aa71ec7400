"""What a POST of the page's form brings: its fields, its token, and an uploaded case log, read as it arrives.

The body is parsed as it streams in (python-multipart's parser), so that:

- the page's token comes first (the form's first field): a file part before a right token is refused
  (:class:`Refused`) and nothing of it is written;
- an uploaded file goes straight into a folder of its own inside the page's private folder
  (:mod:`reportlib.private`, mode 0700), never to the system's shared temporary folder, and is read
  later as a case log only (by the pipeline's readers): it is never executed, imported or served;
- a body larger than the limit stops being kept the moment it passes it (:class:`TooLarge`): what
  was written of it is removed; the rest of the body is read and dropped, so the browser gets the
  page's answer rather than a broken connection.
"""

from __future__ import annotations

import hmac
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator

from python_multipart.multipart import MultipartParser, parse_options_header

#: The most text the form's fields may hold in all (the file aside): a form of the meeting's details is a few KB.
FIELDS_LIMIT = 4 * 1024 * 1024
#: The most fields a form may send.
MAX_FIELDS = 10_000


class Refused(Exception):
    """The POST does not carry the page's token (or sends a file before it)."""


class TooLarge(Exception):
    """The body is larger than the limit; ``fields`` are the fields read before it was stopped, ``token_ok`` whether
    the page's token was among them."""

    def __init__(self, fields: dict, token_ok: bool):
        super().__init__("too large")
        self.fields, self.token_ok = fields, token_ok


class BadForm(Exception):
    """The body is not a form this page sends."""


@dataclass
class Upload:
    """A file the browser sent: where it was written, and the name it had on the officer's computer."""

    path: Path
    name: str
    size: int


@dataclass
class Posted:
    """A form as posted: each field's texts (a list: check boxes send several), and the uploaded file if any."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    upload: Upload | None = None

    def first(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def as_form(self) -> dict:
        """Each field's text (the last given), check boxes as lists."""
        return {name: (values if len(values) > 1 else values[-1]) for name, values in self.fields.items()}


class _Parts:
    """python-multipart's callbacks: fields into memory, the file part into ``folder``."""

    def __init__(self, token: str, folder: Path, file_field: str):
        self.token, self.folder, self.file_field = token, folder, file_field
        self.posted = Posted()
        self.token_ok = False
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._chunks: list[bytes] = []
        self._file = None
        self._file_size = 0
        self._filename = ""
        self._field_bytes = 0

    def callbacks(self) -> dict:
        return {"on_part_begin": self.part_begin, "on_part_data": self.part_data, "on_part_end": self.part_end,
                "on_header_field": self.header_field, "on_header_value": self.header_value,
                "on_header_end": self.header_end, "on_headers_finished": self.headers_finished}

    def part_begin(self):
        self._headers, self._name, self._chunks, self._file = {}, None, [], None

    def header_field(self, data, start, end):
        self._header_field += data[start:end]

    def header_value(self, data, start, end):
        self._header_value += data[start:end]

    def header_end(self):
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def headers_finished(self):
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            if len(self.posted.fields) >= MAX_FIELDS:
                raise BadForm("too many fields")
            return
        if not self.token_ok:
            raise Refused()
        self._filename = Path(filename.decode("utf-8", "replace").replace("\\", "/")).name
        if self._name == self.file_field and self._filename and self.posted.upload is None:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            suffix = Path(self._filename).suffix.lower()[:8]
            self._file = (self.folder / f"case-log{suffix}").open("wb")
            self._file_size = 0

    def part_data(self, data, start, end):
        if self._file is not None:
            self._file.write(data[start:end])
            self._file_size += end - start
        elif self._name is not None:
            self._field_bytes += end - start
            if self._field_bytes > FIELDS_LIMIT:
                raise BadForm("the form's fields are too large")
            self._chunks.append(bytes(data[start:end]))

    def part_end(self):
        if self._file is not None:
            path = Path(self._file.name)
            self._file.close()
            self._file = None
            self.posted.upload = Upload(path, self._filename, self._file_size)
        elif self._name is not None and not self._filename:
            text = b"".join(self._chunks).decode("utf-8", "replace")
            if self._name == "_token" and not self.posted.fields:
                self.token_ok = hmac.compare_digest(text.encode(), self.token.encode())
            self.posted.fields.setdefault(self._name, []).append(text)
        self._filename = ""

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


async def read_form(content_type: str, stream: AsyncIterator[bytes], token: str, folder: Path, limit: int,
                    file_field: str = "upload") -> Posted:
    """Read a multipart form from ``stream``: the fields, and the file of ``file_field`` written into ``folder``
    (made when a file comes). Raises :class:`Refused` (no token or a wrong one), :class:`TooLarge` (the body
    passed ``limit`` bytes: what was written is removed) or :class:`BadForm`."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        await _drain(stream)
        raise BadForm("not a form of this page")
    parts = _Parts(token, folder, file_field)
    parser = MultipartParser(boundary, parts.callbacks())
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > limit:
                raise TooLarge(dict(parts.posted.fields), parts.token_ok)
            parser.write(chunk)
        parser.finalize()
    except (Refused, TooLarge, BadForm):
        parts.close()
        shutil.rmtree(folder, ignore_errors=True)
        await _drain(stream)
        raise
    except Exception:  # noqa: BLE001 - a body python-multipart cannot parse is no form of ours
        parts.close()
        shutil.rmtree(folder, ignore_errors=True)
        await _drain(stream)
        raise BadForm("the form could not be read") from None
    if not parts.token_ok:
        shutil.rmtree(folder, ignore_errors=True)
        raise Refused()
    return parts.posted


async def _drain(stream: AsyncIterator[bytes]) -> None:
    """Read what is left of the body and drop it (the browser waits to finish sending before it reads our answer)."""
    try:
        async for _ in stream:
            pass
    except Exception:  # noqa: BLE001 - the stream may already be over or the client gone
        pass


def new_token() -> str:
    """The page's token: a secret of this server, in every form it makes."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(8)
