"""URL map of the app. Each area has its own module and namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from workshops.views import account, public

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("accounts/login/", public.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", account.verify, name="login_verify"),
    path("accounts/", account.account, name="account"),
    path("accounts/two-factor/", account.enrol, name="two_factor_enrol"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("j/", include("workshops.urls.participant")),
    path("w/", include("workshops.urls.facilitator")),
    path("w/", include("workshops.urls.report")),
    path("w/", include("workshops.urls.sources")),
    path("n/", include("workshops.urls.networks")),
    path("", include("workshops.urls.followup")),
    path("api/", include("workshops.urls.api")),
]
