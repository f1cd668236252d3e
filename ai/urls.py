from django.urls import path

from ai import views, views_assistant

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("settings/ai/", views.preferences_page, name="ai_preferences"),
    path("assistant/", views_assistant.history_page, name="ai_history"),
    path("assistant/requests/<int:pk>/", views_assistant.request_page, name="ai_request_detail"),
    path("assistant/proposals/<int:pk>/summary/", views_assistant.summary_page, name="ai_summary"),
    path("assistant/challenges/<slug:slug>/feedback/", views_assistant.feedback_page, name="ai_feedback"),
]
