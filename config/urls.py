from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from blanko import views as blanko_views
from blanko.forms import LoginForm

urlpatterns = [
    path("", blanko_views.home, name="home"),
    path("sehat/", blanko_views.health, name="health"),
    path("", include("blanko.urls")),
    path("", include("layanan.urls")),
    path("masuk/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
