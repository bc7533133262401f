"""Participant pages (built out in the participant issue)."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from workshops.models import Workshop, normalise_join_code


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Workshop code"), max_length=20)

    def clean_code(self) -> str:
        code = normalise_join_code(self.cleaned_data["code"])
        if not Workshop.objects.filter(join_code=code).exists():
            raise forms.ValidationError(_("No workshop has this code. Check it and try again."))
        return code


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("participant:join_code", code=form.cleaned_data["code"])
    return render(request, "workshops/participant/join.html", {"form": form})


@require_http_methods(["GET"])
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    workshop = Workshop.objects.filter(join_code=normalise_join_code(code)).first()
    if workshop is None:
        return render(request, "workshops/participant/unknown_code.html", status=404)
    return render(request, "workshops/participant/welcome.html", {"workshop": workshop})
