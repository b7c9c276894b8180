"""Refused actions: one hierarchy with codes and statuses; the page handler shows them without a 500."""

import pytest
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from tongban.core.errors import BadTransition, Conflict, Invalid, NotAllowed, NotFound, TongbanError, Unavailable
from tongban.middleware import TongbanErrorMiddleware


def test_each_error_has_a_status_and_a_default_or_given_code():
    assert [(e.status, e.code) for e in (Invalid("x"), NotAllowed("x"), NotFound("x"), BadTransition("x"),
                                         Conflict("x"), Unavailable("x"))] == [
        (422, "invalid"), (403, "not_allowed"), (404, "not_found"), (409, "bad_transition"), (409, "conflict"),
        (503, "unavailable")]
    error = Conflict("办件已被他人处理", code="case.conflict")
    assert (error.code, error.status, str(error)) == ("case.conflict", 409, "办件已被他人处理")
    assert Invalid("x").code == "invalid"  # a code given to one instance does not leak to the class


def _request(method: str, referer: str = ""):
    factory = RequestFactory()
    request = factory.post("/cases/X/act/accept/") if method == "POST" else factory.get("/cases/X/")
    if referer:
        request.META["HTTP_REFERER"] = referer
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)  # the default FallbackStorage
    return request


def _refuse(request):
    raise NotAllowed("您无权对办件 X 执行“受理”", code="case.not_allowed")


@pytest.mark.django_db
def test_a_refused_form_post_goes_back_to_its_page_with_the_message():
    request = _request("POST", referer="http://testserver/cases/X/")
    middleware = TongbanErrorMiddleware(_refuse)
    response = middleware.process_exception(request, NotAllowed("您无权", code="case.not_allowed"))
    assert isinstance(response, HttpResponseRedirect)
    assert response.status_code == 302 and response.url == "http://testserver/cases/X/"
    assert [str(m) for m in request._messages] == ["您无权"]


@pytest.mark.django_db
def test_a_refused_get_or_a_foreign_referer_renders_the_error_page_with_status_and_code():
    for request in (_request("GET"), _request("POST", referer="https://evil.example/")):
        error = NotFound("办件不存在", code="case.not_found")
        response = TongbanErrorMiddleware(_refuse).process_exception(request, error)
        assert response is not None
        assert response.status_code == 404
        page = response.content.decode()
        assert "办件不存在" in page and "case.not_found" in page


def test_other_exceptions_are_not_handled():
    assert TongbanErrorMiddleware(_refuse).process_exception(_request("GET"), ValueError("x")) is None
    assert issubclass(NotAllowed, TongbanError)
