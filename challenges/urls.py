from django.urls import path

from challenges import views

urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<slug:slug>/leaderboard/", views.leaderboard, name="challenge_leaderboard"),
    path(
        "challenges/<slug:slug>/submissions/<int:pk>/withdraw/",
        views.submission_withdraw,
        name="challenge_submission_withdraw",
    ),
    path("badges/", views.my_badges, name="my_badges"),
    path("u/<int:pk>/", views.public_profile, name="public_profile"),
]
