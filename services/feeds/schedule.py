"""The feeds service's periodic work: how common each name and postcode is among the records held, counted again daily."""
from shared.contracts.requests import REFRESH_TERM_FREQUENCIES

DAY = 24 * 60 * 60

SCHEDULE = {REFRESH_TERM_FREQUENCIES: DAY}
