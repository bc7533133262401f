from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workshops.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "workshops.views.errors.bad_request"
handler403 = "workshops.views.errors.permission_denied"
handler404 = "workshops.views.errors.page_not_found"
handler500 = "workshops.views.errors.server_error"
