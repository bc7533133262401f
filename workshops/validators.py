"""Text rules, in one place: what text may be stored, and how imported text is cleaned.

Some characters can never be stored or exported, whoever types or imports them:

- NUL (U+0000): PostgreSQL refuses it in text;
- lone surrogates (U+D800–U+DFFF): they cannot be encoded as UTF-8;
- the other C0 control characters (U+0001–U+001F) and DEL (U+007F), except tab,
  newline and carriage return: XML cannot hold them, so the XLSX and DOCX exports
  would fail on them.

Models, forms and API serializers refuse them with :class:`SafeTextValidator` (one
message); imports and exports remove them with :func:`remove_unsafe_characters`;
a form re-shows refused text with :func:`printable`. Text is compared for search and
suggestions in the form :func:`fold` gives it.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import filterfalse

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# The characters that cannot be stored, as a regular-expression class body (the API
# schema documents the rule with it too).
UNSAFE_RANGES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff"
SAFE_CHARACTER = rf"[^{UNSAFE_RANGES}]"
UNSAFE_CHARACTERS = re.compile(rf"[{UNSAFE_RANGES}]")
REPLACEMENT_CHARACTER = "\ufffd"


@deconstructible(path="workshops.validators.SafeTextValidator")
class SafeTextValidator(RegexValidator):
    """Refuses text holding a character that cannot be stored or exported."""

    regex = rf"^{SAFE_CHARACTER}*$"
    message = _(
        "The text contains characters that cannot be saved (a null, control or broken "
        "character). Remove them and try again."
    )
    code = "unsafe_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str):
            super().__call__(value)


validate_safe_text = SafeTextValidator()


def has_unsafe_characters(value: str) -> bool:
    return UNSAFE_CHARACTERS.search(value) is not None


def remove_unsafe_characters(value: str) -> str:
    """``value`` without the characters that cannot be stored (imports, exports)."""
    return UNSAFE_CHARACTERS.sub("", value)


def fold(value: str) -> str:
    """Lower case, without accents, one space between words: "Élections " → "elections"."""
    value = value.casefold()
    if not value.isascii():  # (twice as fast as a generator over every character)
        value = "".join(filterfalse(unicodedata.combining, unicodedata.normalize("NFKD", value)))
    return " ".join(value.split())


def printable(value):
    """``value`` with each unsafe character replaced by U+FFFD, safe to render again."""
    if not isinstance(value, str):
        return value
    return UNSAFE_CHARACTERS.sub(REPLACEMENT_CHARACTER, value)


class SafeCharField(forms.CharField):
    """A CharField that refuses unsafe characters with one message, and re-shows the text."""

    default_validators = [validate_safe_text]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Our rule covers NUL too: one message rather than two.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        # Checked before stripping: a control character at either end is refused too.
        validate_safe_text(value)
        return super().to_python(value)

    def bound_data(self, data, initial):
        return printable(super().bound_data(data, initial))


def safe_formfield(db_field, **kwargs):
    """``Meta.formfield_callback`` of model forms: free-text fields become SafeCharFields."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        kwargs.setdefault("form_class", SafeCharField)
    return db_field.formfield(**kwargs)


REFERENCE_DOCX_MAX_BYTES = 5 * 1024 * 1024


def validate_reference_docx(upload) -> None:
    """A network's reference Word document: a real .docx (what python-docx can open),
    5 MB at most; its styles, header and footer are used by the Word exports."""
    from docx import Document  # noqa: PLC0415 - python-docx only when a document is uploaded

    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".docx"):
        raise ValidationError(_("Choose a Word document (.docx)."), code="not_docx_name")
    if upload.size > REFERENCE_DOCX_MAX_BYTES:
        raise ValidationError(_("This document is larger than 5 MB."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        Document(upload)
    except Exception as error:  # any failure to read it means it is not a .docx
        raise ValidationError(
            _("This file is not a Word document that can be read (.docx)."), code="not_docx"
        ) from error
    finally:
        upload.seek(position)
