"""Account administration: an LA's administrators manage the accounts of their own LA (identity decides whose is whose)."""
from __future__ import annotations

from flask.views import MethodView

from services.portal.schemas.accounts import AccountsSchema, NewAccountSchema
from services.portal.views.asking import API_PREFIX, Blueprint, actor, ask, plain
from shared.contracts import requests
from shared.contracts.identity import AccountSchema, EnrollingAccountSchema, SuspensionSchema, VettingSchema

api = Blueprint("accounts", __name__, url_prefix=API_PREFIX, description="Account administration, for LA administrators.")


@api.route("/accounts")
class Accounts(MethodView):
    @api.operation(200, AccountsSchema)
    def get(self):
        """The accounts of the administrator's own LA."""
        return {"accounts": ask(requests.LIST_USERS, {"la_code": actor()["la_code"]})}

    @api.operation(201, EnrollingAccountSchema, takes=NewAccountSchema, refuses=(409,))
    def post(self, account):
        """A new account in the administrator's own LA, which its holder enrols from the link mailed to them."""
        return ask(requests.ADD_USER, {**plain(account), "la_code": actor()["la_code"]})


@api.route("/accounts/<username>/suspend")
class Suspend(MethodView):
    @api.operation(200, AccountSchema, takes=SuspensionSchema, refuses=(404,))
    def post(self, suspension, username):
        """Suspend an account: its sessions end at once."""
        return ask(requests.SUSPEND_USER, {"username": username, "reason": suspension["reason"]})


@api.route("/accounts/<username>/unlock")
class Unlock(MethodView):
    @api.operation(200, AccountSchema, refuses=(404, 409))
    def post(self, username):
        """Let a locked or suspended account sign in again (its vetting must be current)."""
        return ask(requests.UNLOCK_USER, {"username": username})


@api.route("/accounts/<username>/reset-2fa")
class ResetSecondFactor(MethodView):
    @api.operation(200, EnrollingAccountSchema, refuses=(404,))
    def post(self, username):
        """The holder enrols again from a new link mailed to them; their password and second factor stop working, every session ends."""
        return ask(requests.RESET_TOTP, {"username": username})


@api.route("/accounts/<username>/vetting")
class Vetting(MethodView):
    @api.operation(200, AccountSchema, takes=VettingSchema, refuses=(404,))
    def put(self, vetting, username):
        """Record new training or enhanced disclosure dates."""
        return ask(requests.RECORD_VETTING, {"username": username, **plain(vetting)})
