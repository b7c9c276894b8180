"""Demo residents with real-name accounts and an enterprise each (demo only: no SMS, a known password).

One per node: 王小明 on the 通州 node, 李红 (三河) on the 廊坊 node; the one-node demo gets both. They log
in on /login/ with their phone and the demo password, or with an SMS code (shown at /dev/sms/ with DEBUG).
The numbers pass the GB 11643 / GB 32100 checks and belong to nobody.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.accounts.models import Citizen, Enterprise
from tongban.catalog.models import Region
from tongban.core import clock
from tongban.demo.cases import DEMO_PASSWORD

WANG_XIAOMING, LI_HONG = "13800000001", "13900000002"
# phone → (name, 身份证号, region, (统一社会信用代码, enterprise name)); each is their enterprise's legal representative
CITIZENS = {
    WANG_XIAOMING: ("王小明", "110112199001010014", "110112", ("91110112MA01A2B3C8", "通州示例餐饮有限公司")),
    LI_HONG: ("李红", "131082199203150048", "131082", ("91131082MA0D4E5F63", "三河示例商贸有限公司")),
}


def do_load_demo_citizens(regions: tuple[str, ...] | None = None) -> list[Citizen]:
    """The demo residents of `regions` (all when None) and their enterprises (idempotent). Writes without
    an audit entry, like the demo staff: demo set-up, not a registration."""
    made = []
    now = clock.now()
    with transaction.atomic():
        for phone, (name, id_number, region, (credit_code, enterprise_name)) in CITIZENS.items():
            if regions is not None and region not in regions:
                continue
            user, created = get_user_model().objects.get_or_create(username=f"c{phone}", defaults={"first_name": name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            citizen, _ = Citizen.objects.get_or_create(user=user, defaults={
                "name": name, "id_number": id_number, "phone": phone, "region": Region.objects.get(code=region),
                "phone_verified_at": now, "created_at": now})
            enterprise, _ = Enterprise.objects.get_or_create(credit_code=credit_code, defaults={
                "name": enterprise_name, "legal_representative_id": id_number, "created_at": now})
            enterprise.agents.add(citizen)
            made.append(citizen)
    return made


def describe(citizen: Citizen) -> str:
    enterprises = "、".join(citizen.enterprises.order_by("name").values_list("name", flat=True))
    return f"{citizen.phone}（办事人 {citizen.name}，经办企业 {enterprises}；在 /login/ 用手机号登录）"
