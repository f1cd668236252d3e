from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("account/sessions/end-all/", views.sessions_end_all, name="sessions_end_all"),
]
