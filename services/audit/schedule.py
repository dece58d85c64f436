"""The audit service's periodic work: a signed checkpoint of the chain head every five minutes."""
from shared.contracts.requests import CHECKPOINT_AUDIT

SCHEDULE = {CHECKPOINT_AUDIT: 5 * 60}
