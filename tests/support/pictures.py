"""Files to upload: real pictures and files that only say they are."""

import struct
import zlib

PICTURES_ONLY = (
    "Only pictures (PNG, JPEG, GIF, WebP) can be uploaded here, and this "
    "file is not one, whatever its name says."
)
# check_upload's refusal of a file that is not even a PDF (it offers PDF documents).
PICTURES_OR_PDF = (
    "Only pictures (PNG, JPEG, GIF, WebP) and PDF documents can be uploaded, and "
    "this file is neither, whatever its name says."
)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
# Files that are not pictures, whatever their names say.
NOT_PICTURES = {
    "svg": (
        "drawing.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
    ),
    "html": ("photo.png", b"<html><body><script>alert(1)</script></body></html>"),
    "pdf": ("scan.jpg", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + b"\x00" * 32),
}


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 40, 40)):
    """A real PNG picture (a browser decodes it), made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
