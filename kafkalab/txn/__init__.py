"""Transactions (KIP-98, KIP-447, KIP-890): the transaction coordinator, its state machine and
``__transaction_state``. Model code: no pandas, matplotlib or widgets."""
