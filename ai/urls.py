from django.urls import path

from ai import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("settings/ai/", views.preferences_page, name="ai_preferences"),
]
