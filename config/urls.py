from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from blanko import views as blanko_views
from blanko.forms import LoginForm
from layanan import urls as layanan_urls
from layanan.supervision import urls as supervision_urls

urlpatterns = [
    path("", blanko_views.home, name="home"),
    path("sehat/", blanko_views.health, name="health"),
    path("", include("blanko.urls")),
    # One `layanan` namespace for the requests and their supervision: URL names such as
    # layanan:dashboard predate the split, and the supervision package sits above layanan.
    path("", include((layanan_urls.urlpatterns + supervision_urls.urlpatterns,
                      layanan_urls.app_name))),
    path("masuk/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
