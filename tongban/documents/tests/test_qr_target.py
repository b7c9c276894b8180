"""The receipt's QR code leads to the public progress page with the case number filled in (no login)."""

from django.urls import reverse

from tongban.documents import qr


def test_the_receipt_qr_code_leads_to_the_progress_page(client, people, make_case):
    case = make_case("receipt")
    client.force_login(people["sanhe_window"])
    html = client.get(reverse("documents:page", args=[case.number, "receipt"])).content.decode()
    target = f"http://testserver/progress/?number={case.number}"
    assert qr.svg(target).split("<path", 1)[1][:200] in html  # the code drawn encodes that very URL
    assert "登录后" not in html  # the receipt no longer sends the applicant to a login
    client.logout()
    page = client.get(target)
    assert page.status_code == 200 and f'value="{case.number}"' in page.content.decode()
