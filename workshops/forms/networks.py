"""Forms of the network page: organisations, staff grants, invitations, accepting one."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workshops.choices import OrganisationKind
from workshops.models import Country
from workshops.validators import SafeCharField, validate_reference_docx


class NetworkOrganisationForm(forms.Form):
    name = SafeCharField(label=_("Name"), max_length=200)
    acronym = SafeCharField(label=_("Acronym"), max_length=30, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (OrganisationKind.NETWORK, _("National office of the network")),
            *[(k, label) for k, label in OrganisationKind.choices if k != OrganisationKind.NETWORK],
        ],
    )
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all())


class GrantForm(forms.Form):
    username = SafeCharField(label=_("Username"), max_length=150)
    is_administrator = forms.BooleanField(label=_("Network administrator"), required=False)
    may_organise = forms.BooleanField(label=_("May organise workshops"), required=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise ValidationError(_("No active account has this username.")) from None


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    is_administrator = forms.BooleanField(label=_("Network administrator"), required=False)
    may_organise = forms.BooleanField(label=_("May organise workshops"), required=False)

    def __init__(self, *args, **kwargs):
        # Its own ids: the grant form on the same page has fields of the same names, and
        # each label must point at its own box. The posted names stay the same.
        kwargs.setdefault("auto_id", "id_invite_%s")
        super().__init__(*args, **kwargs)


class AcceptInvitationForm(forms.Form):
    username = SafeCharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken. Choose another."))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password"):
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(data["password"], user)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class ReferenceDocumentForm(forms.Form):
    """Upload or remove the network's reference Word document (for the DOCX exports)."""

    document = forms.FileField(
        label=_("Reference Word document (.docx)"),
        required=False,
        validators=[validate_reference_docx],
        help_text=_("Its styles, header and footer are used by every Word export; 5 MB at most."),
    )
    remove = forms.BooleanField(label=_("Remove the reference document"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("document") and not data.get("remove") and not self.errors:
            raise ValidationError(_("Choose a document to upload, or tick “Remove”."))
        return data
