"""Identity's postbox delivers a letter to a real SMTP server."""
from services.identity.mail import Letter, MailNotSent, Postbox
from contactpoint.sandbox import free_port
import pytest


def test_a_letter_reaches_the_smtp_server(mail_server):
    Postbox(mail_server.url, "ContactPoint <no-reply@example.org>").send(Letter("holder@example.org", "Your account", "Hello"))

    [letter] = mail_server.letters
    assert (letter["To"], letter["Subject"], letter.get_content().strip()) == ("holder@example.org", "Your account", "Hello")


def test_an_unreachable_server_is_said_so():
    with pytest.raises(MailNotSent, match="holder@example.org"):
        Postbox(f"smtp://127.0.0.1:{free_port()}", "x@example.org").send(Letter("holder@example.org", "s", "b"))
