"""Bytes to text lines, one chunk at a time: UTF-8, UTF-8 with a BOM or UTF-16 with a BOM
(Excel's "Unicode text"), with the bytes counted for progress and an upload's size limit."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from geo import settings
from geo.formats.results import BadFile
from geo.progress import Progress

__all__ = ["MAX_UPLOAD_BYTES", "LINE_LIMIT", "CHUNK", "ByteCounter", "decoded_lines", "too_big"]

# Uploads through the app only (the server's ``maxUploadSize`` says the same); a file
# imported from disk (``python -m geo import``) has no size limit.
MAX_UPLOAD_BYTES = settings.MAX_UPLOAD_MB * 2**20
# Longer than this, a cell (or a line) is not CSV at all: the file is refused.
LINE_LIMIT = 20 * 2**20
CHUNK = 2**18  # bytes read at a time


def decoded_lines(stream: IO[bytes], file: str, *, first: bytes, limit: int | None,
                  counter: ByteCounter) -> Iterator[str]:
    """The lines of a binary stream (``first`` is its first chunk, already read), decoded as
    UTF-8, UTF-8 with a BOM or UTF-16 with a BOM, one chunk at a time. A line keeps its end
    (``\\n``, ``\\r\\n`` or ``\\r``), as ``csv`` wants."""
    utf16 = first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text"
    decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8-sig")()
    newlines = 0  # b"\n" in the bytes before this chunk (the row of a bad byte)
    carry = ""
    raw = first
    while True:
        final = not raw
        held = len(decoder.getstate()[0])
        try:
            text = decoder.decode(raw, final)
        except UnicodeDecodeError as error:
            if utf16:
                raise BadFile(f"{file}: starts as UTF-16 text but is not valid UTF-16; save the file as UTF-8 "
                              "and import again") from None
            at = max(error.start - held, 0)
            line = newlines + raw[:at].count(b"\n") + 1
            raise BadFile(f"{file}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at row {line}); "
                          "save the file as UTF-8 and import again") from None
        if not utf16:
            newlines += raw.count(b"\n")
        buf = carry + text if carry else text
        if final:
            if buf:
                yield from io.StringIO(buf, newline="")
            return
        cut = buf.rfind("\n")
        if cut < 0:
            cut = buf.rfind("\r", 0, len(buf) - 1)  # old Mac line ends; a final "\r" may be half of "\r\n"
        if cut >= 0:
            yield from io.StringIO(buf[:cut + 1], newline="")
            carry = buf[cut + 1:]
        else:
            carry = buf
        if len(carry) > LINE_LIMIT:
            raise BadFile(f"{file}, row {newlines + 1}: a line longer than {LINE_LIMIT // 2**20} MB; "
                          "this is not a CSV file of records")
        raw = stream.read(CHUNK)
        counter.add(len(raw), file, limit)


@dataclass
class ByteCounter:
    """Bytes read so far, reported to ``progress``; an upload over ``limit`` is refused."""

    total: int = 0
    done: int = 0
    progress: Progress | None = None

    def add(self, count: int, file: str, limit: int | None) -> None:
        self.done += count
        if limit is not None and self.done > limit:
            raise BadFile(too_big(file, self.done, limit))
        if self.progress is not None and count:
            self.progress("reading", self.done, max(self.total, self.done))


def too_big(file: str, size: int, limit: int) -> str:
    """The message for a file over the upload limit."""
    return (f"{file}: {size / 1e6:.1f} MB is over the {limit // 2**20} MB upload limit; import a larger file "
            "with python -m geo import FILE")
