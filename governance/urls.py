from django.urls import path

from governance import views

urlpatterns = [
    path("governance/", views.proposal_list_page, name="governance_list"),
    path("governance/new/", views.proposal_create_page, name="governance_create"),
    path("governance/<int:pk>/", views.proposal_detail_page, name="governance_detail"),
    path("governance/<int:pk>/results/", views.proposal_results_page, name="governance_results"),
    path("governance/<int:pk>/tally/", views.proposal_tally_fragment, name="governance_tally"),
]
