from django.urls import path

from wallets.api import transfers, views

urlpatterns = [
    path("wallet/", views.WalletDetailApi.as_view(), name="wallet"),
    path("wallet/transactions/", views.TransactionListApi.as_view(), name="wallet-transactions"),
    path(
        "wallet/transactions/<int:transaction_id>/",
        views.TransactionDetailApi.as_view(),
        name="wallet-transaction-detail",
    ),
    path("wallet/stake/", views.StakeCreateApi.as_view(), name="wallet-stake"),
    path("wallet/unstake/", views.UnstakeCreateApi.as_view(), name="wallet-unstake"),
    path("wallet/withdrawals/", views.WithdrawalListCreateApi.as_view(), name="wallet-withdrawals"),
    path(
        "wallet/withdrawals/<int:withdrawal_id>/",
        views.WithdrawalDetailApi.as_view(),
        name="wallet-withdrawal-detail",
    ),
    path(
        "wallet/withdrawals/<int:withdrawal_id>/cancel/",
        views.WithdrawalCancelApi.as_view(),
        name="wallet-withdrawal-cancel",
    ),
    path("wallet/transfers/", transfers.TransferCreateApi.as_view(), name="wallet-transfers"),
    path("wallet/addresses/", views.AddressListCreateApi.as_view(), name="wallet-addresses"),
    path("wallet/addresses/confirm/", views.AddressConfirmApi.as_view(), name="wallet-address-confirm"),
    path("wallet/addresses/<int:address_id>/", views.AddressDetailApi.as_view(), name="wallet-address-detail"),
    path("ops/deposits/", views.OpsDepositCreateApi.as_view(), name="ops-deposits"),
    path("ops/adjustments/", views.OpsAdjustmentCreateApi.as_view(), name="ops-adjustments"),
    path("ops/withdrawals/", views.OpsWithdrawalListApi.as_view(), name="ops-withdrawals"),
    path("ops/supply/", views.OpsSupplyApi.as_view(), name="ops-supply"),
    path(
        "ops/withdrawals/<int:withdrawal_id>/approve/",
        views.OpsWithdrawalApproveApi.as_view(),
        name="ops-withdrawal-approve",
    ),
    path(
        "ops/withdrawals/<int:withdrawal_id>/reject/",
        views.OpsWithdrawalRejectApi.as_view(),
        name="ops-withdrawal-reject",
    ),
]
