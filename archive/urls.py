from django.urls import path

import guide.converters  # noqa: F401 - registers the <edition:...> converter
from archive import views

app_name = "archive"

urlpatterns = [
    path("versjoner/<edition:number>/veileder.pdf", views.edition_pdf, name="edition_pdf"),
    path("versjoner/<edition:number>/horingsrapport.pdf", views.report_pdf, name="report_pdf"),
]
