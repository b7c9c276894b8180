"""The REST API root: one NinjaAPI, one router per app. OpenAPI docs at /api/docs (served offline)."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.core.errors import TongbanError
from tongban.ratings.api import router as ratings_router

api = NinjaAPI(
    title="通办 Tongban API",
    version="0.1.0",
    description="区域通办共享事项清单等接口。所有列表接口分页（page, page_size）。",
    urls_namespace="api",
)
api.add_router("/catalog/", catalog_router)
api.add_router("/cases/", cases_router)
api.add_router("/ratings/", ratings_router)


@api.exception_handler(TongbanError)
def refused(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    """Every refused action, for every router: ``{"detail": message, "code": code}`` with the error's status."""
    return api.create_response(request, {"detail": exc.message, "code": exc.code}, status=exc.status)
