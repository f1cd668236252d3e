from django.urls import path

from ai.api import views

urlpatterns = [
    path("search/", views.SearchApi.as_view(), name="search"),
    path("me/ai-preferences/", views.PreferenceApi.as_view(), name="ai-preferences"),
    path("ai/similarity-flags/", views.FlagListApi.as_view(), name="ai-similarity-flags"),
]
