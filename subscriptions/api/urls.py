from django.urls import path

from subscriptions.api import views

urlpatterns = [
    path("plans/", views.PlanListApi.as_view(), name="plans"),
    path("subscription/", views.SubscriptionApi.as_view(), name="subscription"),
    path("subscription/cancel/", views.SubscriptionCancelApi.as_view(), name="subscription-cancel"),
    path("subscription/reactivate/", views.SubscriptionReactivateApi.as_view(), name="subscription-reactivate"),
]
