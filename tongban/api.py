"""The REST API root: one NinjaAPI, one router per app. OpenAPI docs at /api/docs (served offline)."""

from ninja import NinjaAPI

from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
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
