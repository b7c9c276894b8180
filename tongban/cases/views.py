"""Case pages: queue / my cases, window workbench (receive), case page with actions, online apply."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def case_list(request):
    raise Http404  # pages land in the next commit


receive = case_detail = act = apply = case_list
