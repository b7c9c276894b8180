"""Request guards that apply to every page and API call."""

from django.http import HttpResponseBadRequest


class RejectNulMiddleware:
    """Refuse a NUL character in the path or query string with 400.

    PostgreSQL cannot compare or store strings containing NUL (it raises DataError, a 500); SQLite
    can. Refusing them up front gives one clear answer on both. Form posts are already covered by
    Django's ProhibitNullCharactersValidator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            return HttpResponseBadRequest("请求中含有非法字符（NUL）。", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
