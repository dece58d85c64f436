"""The disclosure service's periodic work: forgetting the ids of consumed events, which name children."""
from shared.contracts.requests import FORGET_CONSUMED

SCHEDULE = {FORGET_CONSUMED: 60 * 60}
