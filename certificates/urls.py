from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.oversigt, name="oversigt"),
    path("upload/", views.upload, name="upload"),
    path("test/", views.test_forbindelse, name="test_forbindelse"),
    path("journal/", views.journal_liste, name="journal"),
    path("journal/<int:besked_pk>/", views.journal_detalje, name="journal_detalje"),
    path("miljoe/<str:navn>/", views.miljoe, name="miljoe"),
    path("miljoe/<str:navn>/aktiver/", views.miljoe_aktiver, name="miljoe_aktiver"),
    path("<int:pk>/", views.detalje, name="detalje"),
    path("<int:pk>/<str:handling>/", views.handling, name="handling"),
]
