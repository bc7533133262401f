"""Filters of contribution lists: the live board's and the API's (django-filter).

Both filter on the same fields with the same choices; they differ only in how a zone
or a theme is named (a picker on the board; an id or a slug in the API) and in what a
wrong value does: the board shows everything, the API answers 400.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from workshops.choices import Category, Gender, ModerationStatus, Source
from workshops.models import Contribution, Theme, Workshop, Zone
from workshops.validators import fold

MAX_ID = 2**31 - 1


class ContributionFilter(django_filters.FilterSet):
    """The filters every list of contributions offers."""

    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )
    gender = django_filters.ChoiceFilter(
        label=_("Gender"), choices=Gender.choices, empty_label=_("All")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Source.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ModerationStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = Contribution
        fields: list[str] = []


class BoardFilter(ContributionFilter):
    """The live board's filter bar: words to find, zones of the workshop's country, its themes."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), field_name="themes", queryset=Theme.objects.none(), empty_label=_("All")
    )
    zone = django_filters.ModelChoiceFilter(
        label=_("Zone"), queryset=Zone.objects.none(), empty_label=_("All")
    )
    untagged = django_filters.BooleanFilter(
        label=_("No theme yet"),
        field_name="themes",
        lookup_expr="isnull",
        widget=forms.CheckboxInput,
        method="filter_untagged",
    )

    class Meta(ContributionFilter.Meta):
        fields = ["q", "category", "theme", "zone", "gender", "source", "status", "untagged"]

    def filter_untagged(self, queryset, name, value):
        """Ticked: only contributions without a theme (what the roll-up counts as untagged)."""
        return queryset.filter(themes__isnull=True) if value else queryset

    def __init__(self, data=None, queryset=None, *, workshop: Workshop, themes, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["theme"].queryset = themes
        self.filters["zone"].queryset = Zone.objects.filter(workshop=workshop)

    def search(self, queryset, name, value):
        """Every word, in any case and with or without accents ("elections" finds "Élections")."""
        for word in fold(value).split()[:10]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    @property
    def qs(self):
        """A wrong value shows the whole board rather than an empty one."""
        return super().qs if self.is_valid() else self.queryset.all()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            form.order_fields(self.Meta.fields)
            for field in form.fields.values():
                field.widget.attrs["class"] = "form-select form-select-sm"
            form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
            form.fields["q"].widget.input_type = "search"
            form.fields["untagged"].widget.attrs["class"] = "form-check-input"
        return self._form


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField


@extend_schema_field({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 80})
class SlugFilter(django_filters.Filter):
    field_class = forms.SlugField


class RefuseEmptyForm(forms.Form):
    """A parameter given empty is an error in the API, not "no filter"."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and self.data[name] == "":
                self.add_error(name, "This field may not be blank.")
        return cleaned


class ApiContributionFilter(ContributionFilter):
    """Query parameters of the API's contribution list (DjangoFilterBackend: 400 when wrong)."""

    session = IdFilter(field_name="session_id", min_value=1, max_value=MAX_ID)
    zone = IdFilter(field_name="zone_id", min_value=1, max_value=MAX_ID)
    region = IdFilter(field_name="region_id", min_value=1, max_value=MAX_ID)
    theme = SlugFilter(field_name="themes__slug", max_length=80)

    class Meta(ContributionFilter.Meta):
        form = RefuseEmptyForm
