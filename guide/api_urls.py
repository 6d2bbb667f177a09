from django.urls import path  # noqa: F401 - the API helper fills these in

app_name = "api"

urlpatterns: list = []
