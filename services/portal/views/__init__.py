"""The JSON API of the external contract, one blueprint an area; every view asks one service and answers."""
from __future__ import annotations

from services.portal.views.accounts import api as accounts
from services.portal.views.audit import api as audit
from services.portal.views.auth import api as auth
from services.portal.views.children import api as children
from services.portal.views.disclosure import api as disclosure
from services.portal.views.enrolment import api as enrolment
from services.portal.views.reviews import api as reviews
from services.portal.views.sources import api as sources

BLUEPRINTS = (auth, enrolment, children, audit, disclosure, accounts, reviews, sources)
