"""The client's address: X-Forwarded-For believed only from the proxies the operator trusts."""
import pytest

from services.portal.proxies import TrustedProxies
from shared.errors import ConfigurationError

PROXIES = TrustedProxies.parse("192.0.2.10, 10.20.0.0/16")


def test_without_a_trusted_proxy_the_peer_is_the_client_whatever_it_claims():
    assert TrustedProxies().client("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert PROXIES.client("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_a_trusted_proxy_reports_the_client():
    assert PROXIES.client("192.0.2.10", "198.51.100.1") == "198.51.100.1"


def test_through_several_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client():
    # The left-most entry is whatever the client wrote; only what our own proxies appended is believed.
    assert PROXIES.client("192.0.2.10", "6.6.6.6, 198.51.100.1, 10.20.3.4") == "198.51.100.1"


def test_a_trusted_proxy_reporting_nobody_is_itself_the_client():
    assert PROXIES.client("192.0.2.10", None) == "192.0.2.10"


def test_a_list_that_is_not_addresses_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="CP_TRUSTED_PROXIES"):
        TrustedProxies.parse("192.0.2.10, proxy.example")
