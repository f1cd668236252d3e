from django.urls import path

from governance.api import views

urlpatterns = [
    path("proposals/", views.ProposalListCreateApi.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", views.ProposalDetailApi.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/publish/", views.ProposalPublishApi.as_view(), name="proposal-publish"),
    path("proposals/<int:pk>/cancel/", views.ProposalCancelApi.as_view(), name="proposal-cancel"),
    path("proposals/<int:pk>/vote/", views.VoteApi.as_view(), name="proposal-vote"),
    path("proposals/<int:pk>/results/", views.ProposalResultsApi.as_view(), name="proposal-results"),
    path("audit-logs/", views.AuditLogListApi.as_view(), name="audit-log-list"),
]
