"""Pages anyone may see: the landing page, staff log-in, a health check."""

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.services import two_factor
from workshops.views import account


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        """A staff member with a second factor is not signed in yet: the code comes next."""
        user = form.get_user()
        if two_factor.has_second_factor(user):
            return account.start_second_step(
                self.request, user, user.backend, self.get_redirect_url()
            )
        return super().form_valid(form)
