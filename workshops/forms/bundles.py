"""Forms of the venue bundle page: the passphrase (twice to export), the file to import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from workshops.report.forms import PurposeForm
from workshops.services.bundles import MAX_KEY_LENGTH, MIN_KEY_LENGTH

MAX_BUNDLE_BYTES = 50 * 1024 * 1024


def _key_field(label, help_text=None) -> forms.CharField:
    # Never shown again on the page, even when the form comes back with an error.
    return forms.CharField(
        label=label,
        help_text=help_text,
        min_length=MIN_KEY_LENGTH,
        max_length=MAX_KEY_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _usable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_("The key contains characters that cannot be used.")) from None
    return value


class BundleExportForm(PurposeForm):
    key = _key_field(
        _("Key"),
        format_lazy(
            _(
                "{min} characters or more. Keep it apart from the file: without it the "
                "bundle cannot be opened, by anyone."
            ),
            min=MIN_KEY_LENGTH,
        ),
    )
    key_again = _key_field(_("Key, again"))

    field_order = ["key", "key_again", "purpose"]

    def clean_key(self) -> str:
        return _usable(self.cleaned_data["key"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("key") and cleaned.get("key_again") != cleaned["key"]:
            self.add_error("key_again", _("The two keys differ."))
        return cleaned


class BundleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bundle file"),
        help_text=_("A .pxbundle file exported from this workshop on another instance."),
    )
    key = _key_field(_("Key"))

    def clean_key(self) -> str:
        return _usable(self.cleaned_data["key"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BUNDLE_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": MAX_BUNDLE_BYTES // (1024 * 1024)}
            )
        return upload
