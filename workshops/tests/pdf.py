"""Read a rendered PDF in tests with pypdf: no poppler needed on the machine."""

import io

from pypdf import PdfReader

A4_POINTS = (595, 842)


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of ``data``, in order."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The whole text of ``data`` with runs of whitespace made single spaces."""
    return " ".join(" ".join(pdf_pages(data)).split())


def is_a4(data: bytes) -> bool:
    """Every page of ``data`` is A4 portrait, to the nearest point."""
    return all(
        (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
        for page in PdfReader(io.BytesIO(data)).pages
    )
