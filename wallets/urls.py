from django.urls import path

from wallets import views

urlpatterns = [
    path("wallet/", views.wallet_page, name="wallet"),
    path("wallet/transactions.csv", views.transactions_csv, name="wallet_transactions_csv"),
    # Step 1 (nothing moves): the confirmation page. Step 2: the money moves.
    path("wallet/stake/review/", views.stake_review, name="wallet_stake_review"),
    path("wallet/unstake/review/", views.unstake_review, name="wallet_unstake_review"),
    path("wallet/withdraw/review/", views.withdraw_review, name="wallet_withdraw_review"),
    path("wallet/send/review/", views.send_review, name="wallet_send_review"),
    path("wallet/stake/", views.stake, name="wallet_stake"),
    path("wallet/unstake/", views.unstake, name="wallet_unstake"),
    path("wallet/withdraw/", views.withdraw, name="wallet_withdraw"),
    path("wallet/send/", views.send, name="wallet_send"),
    path("wallet/withdrawals/<int:withdrawal_id>/cancel/", views.withdrawal_cancel, name="wallet_withdrawal_cancel"),
    path("wallet/addresses/", views.address_add, name="wallet_address_add"),
    path("wallet/addresses/<int:address_id>/delete/", views.address_delete, name="wallet_address_delete"),
    path("wallet/addresses/confirm/<str:token>/", views.address_confirm, name="wallet_address_confirm"),
]
