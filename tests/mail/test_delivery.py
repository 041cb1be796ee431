"""`flask pb send-mail` delivers the outbox over a real SMTP conversation on loopback."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from pbplatform.mail.models import OutboxMessage
from pbplatform.mail.services import send_mail


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: greet, accept one envelope at a time, keep DATA."""

    def handle(self) -> None:
        self._reply("220 test ESMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "DATA":
                self._reply("354 go ahead")
                self.server.received.append(self._read_data())  # type: ignore[attr-defined]
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 ok")

    def _read_data(self) -> str:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line.decode())
        return "".join(lines)

    def _reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())


@pytest.fixture
def smtp_server() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_outbox_is_delivered_once_and_marked_sent(app, db, runner, smtp_server):
    with app.test_request_context():
        send_mail("ana@example.org", "Reset your password", "Open this link: /reset/abc")
        send_mail("ben@example.org", "Your proposal", "It was approved.")
    db.session.commit()  # as the request that queued them did
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1])
    try:
        result = runner.invoke(args=["pb", "send-mail"])
        again = runner.invoke(args=["pb", "send-mail"])
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert result.exit_code == 0, result.output
    assert "sent 2 message(s)" in result.output
    assert "sent 0 message(s)" in again.output
    assert len(smtp_server.received) == 2
    assert "To: ana@example.org" in smtp_server.received[0]
    assert "/reset/abc" in smtp_server.received[0]
    unsent = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert unsent == 0


def test_without_a_mail_server_the_command_says_so_and_keeps_the_mail(app, db, runner):
    with app.test_request_context():
        send_mail("ana@example.org", "Hello", "Body")
    db.session.commit()
    result = runner.invoke(args=["pb", "send-mail"])
    assert result.exit_code != 0
    assert "MAIL_SERVER is not set" in result.output
    unsent = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert unsent == 1
