from django.urls import path

from subscriptions import views

urlpatterns = [
    path("subscription/", views.subscription_page, name="subscription_page"),
    path("subscription/subscribe/", views.subscribe, name="subscription_subscribe"),
    path("subscription/cancel/", views.cancel, name="subscription_cancel"),
    path("subscription/reactivate/", views.reactivate, name="subscription_reactivate"),
]
