from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.NotificationUnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/read-all/", views.NotificationMarkAllReadApi.as_view(), name="notification-read-all"),
    path("notifications/preferences/", views.NotificationPreferencesApi.as_view(), name="notification-preferences"),
    path("notifications/<int:pk>/read/", views.NotificationMarkReadApi.as_view(), name="notification-read"),
]
