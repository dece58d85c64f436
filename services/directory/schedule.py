"""The directory's periodic work: children past 18 (25 with consent) leave it daily; their archive goes after the retention period."""
from shared.contracts.requests import ARCHIVE_LEAVERS, DELETE_EXPIRED_ARCHIVE

DAY = 24 * 60 * 60

SCHEDULE = {ARCHIVE_LEAVERS: DAY, DELETE_EXPIRED_ARCHIVE: DAY}
