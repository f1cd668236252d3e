from django.urls import path

from ai.api import assistant, views

urlpatterns = [
    path("search/", views.SearchApi.as_view(), name="search"),
    path("me/ai-preferences/", views.PreferenceApi.as_view(), name="ai-preferences"),
    path("ai/similarity-flags/", views.FlagListApi.as_view(), name="ai-similarity-flags"),
    path("ai/estimate/", assistant.EstimateApi.as_view(), name="ai-estimate"),
    path("ai/requests/", assistant.RequestListCreateApi.as_view(), name="ai-requests"),
    path("ai/requests/<int:request_id>/", assistant.RequestDetailApi.as_view(), name="ai-request-detail"),
]
