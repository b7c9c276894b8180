"""The QR code on the 办结通知 (page and PDF) leads to the verify page of the signed result."""

from django.urls import reverse

from tongban.documents import pdf, qr
from tongban.verification.models import ResultDocument


def test_the_completion_page_carries_the_verify_url_in_its_qr_code(client, people, make_case):
    case = make_case("completion")
    client.force_login(people["tz_rsj"])
    html = client.get(reverse("documents:page", args=[case.number, "completion"])).content.decode()
    doc = ResultDocument.objects.get(case=case)  # issued on first showing
    verify_url = f"http://testserver/verify/{doc.doc_id}/"
    assert qr.svg(verify_url, title="扫码核验文书真伪") in html  # the very symbol of that URL
    assert qr.svg(f"http://testserver/cases/{case.number}/") not in html
    assert verify_url in html and "扫码核验文书真伪" in html and doc.doc_id in html
    assert reverse("verification:download", args=[case.number]) in html


def test_the_completion_pdf_draws_the_verify_url(client, people, make_case, monkeypatch):
    case = make_case("completion")
    drawn: list[str] = []
    real = qr.matrix

    def matrix(url: str):
        drawn.append(url)
        return real(url)

    monkeypatch.setattr(pdf.qr, "matrix", matrix)
    client.force_login(people["tz_rsj"])
    response = client.get(reverse("documents:pdf", args=[case.number, "completion"]))
    assert response.status_code == 200
    doc = ResultDocument.objects.get(case=case)
    assert drawn == [f"http://testserver/verify/{doc.doc_id}/"]


def test_other_notices_keep_the_tracking_qr_code(client, people, make_case):
    case = make_case("acceptance")
    client.force_login(people["tz_rsj"])
    html = client.get(reverse("documents:page", args=[case.number, "acceptance"])).content.decode()
    assert qr.svg(f"http://testserver/progress/?number={case.number}") in html and "/verify/" not in html
    assert not ResultDocument.objects.exists()
