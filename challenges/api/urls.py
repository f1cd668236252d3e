from django.urls import path

from challenges.api import views

urlpatterns = [
    path("challenges/", views.ChallengeListApi.as_view(), name="challenge-list"),
    path("challenges/<slug:slug>/", views.ChallengeDetailApi.as_view(), name="challenge-detail"),
    path("challenges/<slug:slug>/close/", views.ChallengeCloseApi.as_view(), name="challenge-close"),
    path("challenges/<slug:slug>/judge/", views.ChallengeJudgeApi.as_view(), name="challenge-judge"),
    path("challenges/<slug:slug>/leaderboard/", views.LeaderboardApi.as_view(), name="challenge-leaderboard"),
    path("challenges/<slug:slug>/rewards/", views.RewardsAwardApi.as_view(), name="challenge-rewards"),
    path("challenges/<slug:slug>/submissions/", views.SubmissionListApi.as_view(), name="submission-list"),
    path("challenges/<slug:slug>/submissions/<int:pk>/", views.SubmissionDetailApi.as_view(), name="submission-detail"),
    path(
        "challenges/<slug:slug>/submissions/<int:pk>/withdraw/",
        views.SubmissionWithdrawApi.as_view(),
        name="submission-withdraw",
    ),
    path(
        "challenges/<slug:slug>/submissions/<int:pk>/review/",
        views.SubmissionReviewApi.as_view(),
        name="submission-review",
    ),
    path("badges/", views.BadgeListApi.as_view(), name="badge-list"),
    path("badges/<slug:slug>/award/", views.BadgeAwardApi.as_view(), name="badge-award"),
    path("badges/<slug:slug>/revoke/", views.BadgeRevokeApi.as_view(), name="badge-revoke"),
    path("me/badges/", views.MyBadgesApi.as_view(), name="my-badges"),
    path("users/<int:pk>/badges/", views.UserBadgesApi.as_view(), name="user-badges"),
]
