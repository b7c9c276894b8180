"""Request guards that apply to every page and API call."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class RejectNulMiddleware:
    """Refuse a NUL character in the path or query string with 400.

    PostgreSQL cannot compare or store strings containing NUL (it raises DataError, a 500); SQLite
    can. Refusing them up front gives one clear answer on both. Form posts are already covered by
    Django's ProhibitNullCharactersValidator.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            return HttpResponseBadRequest("请求中含有非法字符（NUL）。", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class TongbanErrorMiddleware:
    """Pages: a refused action (`TongbanError`) that a view did not handle itself.

    A form post goes back to the page it came from with the message on top (the usual outcome: the
    officer sees why and nothing changed); anything else renders the error page with the error's status
    and code. API calls never get here: ninja answers them (tongban/api.py)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.contrib import messages
        from django.shortcuts import redirect, render
        from django.utils.http import url_has_allowed_host_and_scheme

        from tongban.core.errors import TongbanError

        if not isinstance(exception, TongbanError):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            messages.error(request, exception.message)
            return redirect(back)
        return render(request, "error.html", {"error": exception}, status=exception.status)
