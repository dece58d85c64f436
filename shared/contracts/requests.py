"""The requests the portal (and the command line) put to services over ``cp.rpc``: ``<service>.<request>``.

No request names who asks in its body: a person's request carries their access token in its
``authorization`` header, and a service's is known by its broker user (see ``shared/gate.py``).
"""

ADD_USER = "identity.add_user"
LIST_USERS = "identity.list_users"
LOGIN = "identity.login"
LOGOUT = "identity.logout"
CHANGE_PASSWORD = "identity.change_password"
SUSPEND_USER = "identity.suspend_user"
UNLOCK_USER = "identity.unlock_user"
RESET_TOTP = "identity.reset_totp"
OPEN_ENROLMENT = "identity.open_enrolment"
COMPLETE_ENROLMENT = "identity.complete_enrolment"
# The portal's page that takes an enrolment link, its token after '#' (browsers never send a fragment to a server).
ENROLMENT_PAGE = "/enrol"
RECORD_VETTING = "identity.record_vetting"
SUSPEND_LAPSED = "identity.suspend_lapsed"

SEARCH_CHILDREN = "directory.search"
READ_CHILD = "directory.read"
EXPORT_DIRECTORY = "directory.export"
ARCHIVE_LEAVERS = "directory.archive_leavers"
DELETE_EXPIRED_ARCHIVE = "directory.delete_expired_archive"
DISCLOSE_CHILD = "directory.disclose"
IDENTIFY_CHILDREN = "directory.identify"
SET_LA_TEAM = "directory.set_la_team"

ADD_SOURCE = "feeds.add_source"
LIST_SOURCES = "feeds.list_sources"
DISABLE_SOURCE = "feeds.disable_source"
LIST_REVIEWS = "feeds.list_reviews"
LINK_REVIEW = "feeds.link_review"
SEPARATE_REVIEW = "feeds.separate_review"
SPLIT_RECORD = "feeds.split_record"
EXPORT_CHILDREN = "feeds.export_children"
REPUBLISH_CHILDREN = "feeds.republish_children"
SHIELD_CHILD = "feeds.shield_child"
UNSHIELD_CHILD = "feeds.unshield_child"
USE_LINKAGE_MODEL = "feeds.use_linkage_model"
SHOW_LINKAGE_MODEL = "feeds.show_linkage_model"

LIST_AUDIT_EVENTS = "audit.list_events"

OPEN_SOURCE_ACCOUNT = "provisioner.open_source_account"
CLOSE_SOURCE_ACCOUNT = "provisioner.close_source_account"
OPEN_TEAM_ACCOUNT = "provisioner.open_team_account"

REQUEST_DISCLOSURE = "disclosure.request"
APPROVE_DISCLOSURE = "disclosure.approve"
REFUSE_DISCLOSURE = "disclosure.refuse"
LIST_DISCLOSURES = "disclosure.list"
READ_DISCLOSURE = "disclosure.read"
FORGET_CONSUMED = "disclosure.forget_consumed"
VERIFY_AUDIT = "audit.verify"
CHECKPOINT_AUDIT = "audit.checkpoint"
LIST_ALERTS = "audit.list_alerts"
INVESTIGATE_ALERT = "audit.investigate_alert"
EXPORT_TRAIL = "audit.export_trail"
SUBSCRIBE_TEAM = "audit.subscribe_team"
SET_RULE_SETTING = "audit.set_rule_setting"

