"""Enrolment by the holder: opening the one-time link, then choosing a password and registering an authenticator."""
from __future__ import annotations

import io

import segno
from flask.views import MethodView

from services.portal.schemas.enrolment import AuthenticatorSchema, CompleteEnrolmentSchema, EnrolledSchema, OpenEnrolmentSchema
from services.portal.views.asking import API_PREFIX, Blueprint, ask
from shared.contracts import requests

api = Blueprint("enrolment", __name__, url_prefix=API_PREFIX, description="Enrolment by the account's holder, from their link.")


@api.route("/enrolment")
class OpenEnrolment(MethodView):
    @api.operation(200, AuthenticatorSchema, takes=OpenEnrolmentSchema, refuses=(404,), anyone=True)
    def post(self, link):
        """Open an enrolment link: a new TOTP secret, as text and as a QR code; 404 enrolment_not_valid for a used or expired link."""
        opened = ask(requests.OPEN_ENROLMENT, link)
        return {**opened, "qr_svg": qr_svg(opened["otpauth_uri"])}


@api.route("/enrolment/complete")
class CompleteEnrolment(MethodView):
    @api.operation(200, EnrolledSchema, takes=CompleteEnrolmentSchema, refuses=(404, 409), anyone=True)
    def post(self, enrolment):
        """Choose a password and give a code of the new secret: the account can sign in, and the link works no more."""
        return ask(requests.COMPLETE_ENROLMENT, enrolment)


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, border=4, light="#fff", xmldecl=False, svgns=True,
                                    title="QR code of your authenticator secret")
    return out.getvalue().decode()
