"""The managed lists as the programme starts them: target groups and service types (seed §1).

Staff can add, rename or retire entries afterwards; this only fills an empty list.
"""

from django.db import migrations

TARGET_GROUPS = [
    # code, name, restricted
    ("left_behind_children", "留守儿童", False),
    ("children_in_difficulty", "困境儿童", False),
    ("left_behind_women", "留守妇女", False),
    ("women_in_difficulty", "特殊困难妇女", False),
    ("left_behind_elderly", "留守老人", False),
    ("elderly_in_difficulty", "特殊困难老人", False),
    ("disabled", "残疾人", False),
    ("youth_at_risk", "不良行为青少年", False),
    ("community_correction", "社区矫正对象", True),
    ("released_prisoners", "刑满释放人员", True),
    ("registered_poor", "建档立卡贫困户", False),
    ("other", "其他", False),
]

CHILDREN = ["left_behind_children", "children_in_difficulty"]
WOMEN = ["left_behind_women", "women_in_difficulty"]
ELDERLY = ["left_behind_elderly", "elderly_in_difficulty"]
SPECIAL = ["youth_at_risk", "community_correction", "released_prisoners"]

SERVICE_TYPES = [
    # code, name, typical target groups (empty: any)
    ("living_assistance", "生活救助", []),
    ("counselling", "心理疏导", []),
    ("emotional_comfort", "精神慰藉", ELDERLY),
    ("rehabilitation", "残障康复", ["disabled"]),
    ("family_education", "家庭教育", CHILDREN),
    ("capacity_building", "能力提升", []),
    ("policy_publicity", "政策宣传", []),
    ("social_integration", "社会融入", []),
    ("growth_support", "成长支持", CHILDREN),
    ("legal_education", "法制宣教", CHILDREN),
    ("pre_delinquency_prevention", "临界预防", CHILDREN),
    ("behaviour_correction", "行为矫正", CHILDREN),
    ("social_skills", "社交指导", CHILDREN),
    ("emotional_care", "精神关爱", CHILDREN),
    ("social_protection", "社会保护", CHILDREN),
    ("stress_relief", "精神减压", WOMEN),
    ("psychological_support", "心理支持", WOMEN),
    ("parenting_guidance", "亲职辅导", WOMEN),
    ("rights_protection", "权益维护", WOMEN),
    ("daily_care", "生活照顾", ELDERLY),
    ("social_participation", "社会参与", ELDERLY),
    ("rights_safeguarding", "权益保障", ELDERLY),
    ("end_of_life_care", "临终关怀", ELDERLY),
    ("psychosocial_support", "心理社会支持", SPECIAL),
    ("family_community_relations", "家庭社区关系改善", SPECIAL),
    ("social_functioning", "社会功能恢复", SPECIAL),
]


def seed(apps, schema_editor):
    TargetGroup = apps.get_model("cases", "TargetGroup")
    ServiceType = apps.get_model("cases", "ServiceType")
    if TargetGroup.objects.exists() or ServiceType.objects.exists():
        return
    groups = {}
    for order, (code, name, restricted) in enumerate(TARGET_GROUPS, start=1):
        groups[code] = TargetGroup.objects.create(code=code, name=name, restricted=restricted, sort_order=order)
    for order, (code, name, typical) in enumerate(SERVICE_TYPES, start=1):
        service_type = ServiceType.objects.create(code=code, name=name, sort_order=order)
        service_type.target_groups.set([groups[group] for group in typical])


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
