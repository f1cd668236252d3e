from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.inbox, name="notifications_inbox"),
    path("notifications/read-all/", views.mark_all_read, name="notifications_read_all"),
    path("notifications/unread-badge/", views.unread_badge, name="notifications_unread_badge"),
    path("notifications/preferences/", views.preferences, name="notifications_preferences"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notifications_read"),
]
