"""The delimiter of CSV text: KoboToolbox writes semicolons, ODK Central and ACLED commas,
and a list pasted from a spreadsheet has tabs."""

from __future__ import annotations

import csv

CANDIDATES = ",;\t"
SAMPLE_LINES = 20


def sniff_delimiter(text: str, candidates: str = CANDIDATES) -> str | None:
    """The delimiter ``csv.Sniffer`` finds in the first lines, or None when there is none.

    When the sniffer cannot decide (one column, or rows of uneven width), the candidate
    found most often in the header line wins, the first of ``candidates`` on a tie.
    """
    lines = text.lstrip("\ufeff").splitlines()
    sample = "\n".join(lines[:SAMPLE_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        best = max(candidates, key=header.count)
        return best if header.count(best) else None
