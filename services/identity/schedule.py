"""Identity's periodic work: accounts whose vetting has lapsed are suspended within the hour."""
from shared.contracts.requests import SUSPEND_LAPSED

SCHEDULE = {SUSPEND_LAPSED: 60 * 60}
