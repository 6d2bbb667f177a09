from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("abonner/", views.subscribe, name="subscribe"),
    path("abonner/sendt/", views.sent, name="sent"),
    path("abonner/bekreft/<str:token>/", views.confirm, name="confirm"),
    path("abonner/avslutt/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
