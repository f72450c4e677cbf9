"""URLs of the sample project."""

from django.urls import path

from . import views

urlpatterns = [
    path("public", views.public),
    path("private", views.private),
    path("admin", views.admin),
    path("profile", views.profile),
]
