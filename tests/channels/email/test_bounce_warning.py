"""Before replying, the agent sees that the customer's address bounced."""

from typing import Any

from kefu.customers import service as customers
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.email.factories import deliver, mail
from tests.web.helpers import sign_in


def test_the_composer_warns_about_a_bounced_address(runtime: Runtime, client: Any) -> None:
    make_agent(runtime.database)
    [receipt] = deliver(runtime.database, runtime.files, mail(sender="gone@example.net"))
    sign_in(client, "agent@example.com", PASSWORD)
    warning = "Email to gone@example.net bounced"
    assert warning not in client.get(f"/tickets/{receipt.ticket_id}").text
    with runtime.database.unit_of_work() as session:
        customers.flag_bounced(
            session, email="gone@example.net", reason="5.1.1 user unknown", at=utcnow()
        )
    page = client.get(f"/tickets/{receipt.ticket_id}").text
    assert f"{warning} (5.1.1 user unknown). Check the address before you reply." in page
