"""Demo data of the hotline, written by the project (not taken from any real hotline).

Units, categories and the category→unit map of both regions, and a small synthetic training corpus
(place × problem × phrasing) so that a fresh clone has a working dispatch model. Real hotlines train
on their own history: `tongban dispatch train FILE --text-col … --label-col …`.
"""

from __future__ import annotations

import random

# region → (streets/towns, departments)
UNITS = {
    "110112": (["北苑街道", "中仓街道", "新华街道", "玉桥街道", "梨园镇", "宋庄镇", "永顺镇"],
               ["通州区住房和城乡建设委员会", "通州区人力资源和社会保障局", "通州区教育委员会", "通州区商务局",
                "通州区卫生健康委员会", "通州区生态环境局", "通州区交通局", "通州区城市管理委员会"]),
    "131000": (["燕郊镇", "大厂镇", "淑阳镇", "广阳区解放道街道"],
               ["廊坊市住房和城乡建设局", "廊坊市人力资源和社会保障局", "廊坊市教育局", "廊坊市商务局",
                "廊坊市卫生健康委员会", "廊坊市生态环境局", "廊坊市交通运输局", "廊坊市城市管理综合行政执法局"]),
}

# category → (description, the department it goes to by default: index into UNITS[region][1])
CATEGORIES = {
    "城乡建设": ("住房、物业、小区配套、市政设施、拆迁", 0),
    "劳动和社会保障": ("工资、社保、就业、劳动合同", 1),
    "教育文体": ("学校、入学、培训、文体设施", 2),
    "商贸旅游": ("商户、消费纠纷、市场、旅游", 3),
    "卫生计生": ("医院、诊所、医保报销、计生", 4),
    "环境保护": ("噪声、油烟、污水、垃圾、扬尘", 5),
    "交通运输": ("公交、出租车、道路、停车", 6),
}

# demo time limits, in natural hours (a workday limit is configured the same way in the admin)
LIMITS = {"dispatch": 2, "contact": 24, "handle": 168, "reply": 360}

PLACES = ["幸福里小区", "运河花园", "新华西街", "玉桥东里", "梨园北街", "燕郊天洋城", "大厂民族街", "滨河小区",
          "云景里", "九棵树路口", "潞城镇政府附近", "翠屏北里"]

PROBLEMS = {
    "城乡建设": ["小区电梯经常停运，物业不维修", "楼道墙皮脱落，物业推诿", "小区地下管道堵塞污水外溢", "开发商延期交房",
             "房产证迟迟办不下来", "小区违建无人处理", "老旧小区改造施工拖延", "物业费上涨不公示", "小区路灯损坏多日",
             "暖气不热，供暖公司不上门"],
    "劳动和社会保障": ["公司拖欠工资三个月", "单位不给缴纳社保", "离职后单位不出具离职证明", "失业保险金领取不了",
                "养老保险转移接续办不了", "工伤认定迟迟没有结果", "劳动合同到期单位不续签也不补偿",
                "灵活就业社保补贴申请被拒", "农民工工资被包工头拖欠", "退休金计算有误"],
    "教育文体": ["孩子入学被要求额外材料", "学校乱收补课费", "幼儿园收费过高", "校外培训机构倒闭不退费",
             "学区划片不公开", "学校食堂卫生差", "体育场馆不对外开放", "社区图书室长期关闭", "学生放学时段校门口拥堵",
             "教师体罚学生"],
    "商贸旅游": ["超市出售过期食品", "商户短斤少两", "预付卡商家跑路不退钱", "景区门票乱涨价", "网购退货商家不处理",
             "农贸市场占道经营", "餐馆强制收取餐位费", "旅行社强迫购物", "加油站计量不准", "商场促销虚假宣传"],
    "卫生计生": ["医院挂号难排队时间长", "诊所无证行医", "医保报销比例不对", "社区医院药品短缺", "医生态度恶劣",
             "疫苗接种预约不上", "生育津贴申领不了", "药店卖药不开发票", "医院乱收检查费", "救护车迟迟不到"],
    "环境保护": ["夜间施工噪音扰民", "餐馆油烟直排", "工厂排放刺鼻废气", "河道污水发黑发臭", "垃圾站臭味熏天",
             "工地扬尘严重", "烧烤摊烟雾大", "广场舞音响声音太大", "企业偷排污水", "露天焚烧垃圾"],
    "交通运输": ["公交车长时间不来", "出租车拒载绕路", "路口红绿灯时间太短", "道路坑洼多次维修不好",
             "共享单车乱停放堵路", "小区门口违章停车", "公交站牌信息错误", "黑车在地铁站拉客", "公路货车超载压坏路面",
             "驾校乱收费"],
}

OPENINGS = ["您好，", "我要反映一个问题：", "市民来电反映：", "", "尊敬的领导：", "你好，我是附近居民，"]
CLOSINGS = ["希望尽快解决。", "请有关部门处理。", "已经反映多次了。", "", "麻烦尽快派人来看看。", "谢谢！"]


def training_rows(per_category: int = 60, seed: int = 7) -> list[tuple[str, str]]:
    """(text, category) pairs for the demo dispatch model."""
    rng = random.Random(seed)
    rows = []
    for category, problems in PROBLEMS.items():
        for _ in range(per_category):
            text = f"{rng.choice(OPENINGS)}{rng.choice(PLACES)}{rng.choice(problems)}，{rng.choice(CLOSINGS)}"
            rows.append((text, category))
    rng.shuffle(rows)
    return rows
