from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("kommentarer/", views.comment_list, name="list"),
    path("kommentarer/<int:pk>/", views.comment_detail, name="detail"),
    path("kommentarer/<int:pk>/rapporter/", views.comment_report_view, name="report"),
    path("kommentarer/kvittering/<str:token>/", views.receipt, name="receipt"),
    path("horing/", views.consultation, name="consultation"),
    path("horing/rapport/", views.consultation_report, name="consultation_report"),
    path("horing/rapport/kommentarer.<str:fmt>", views.open_data, name="open_data"),
]
