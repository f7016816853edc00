"""Made-up people for the demo: Chinese names and ID numbers that pass the GB 11643 check.

Everything comes from the random generator passed in, so the same seed gives the same people.
A person's ID number carries the code of the county they were born in, as it was then: someone
born in 开县 before it became 开州区 (2016) has 500234 on the card, as real cards do.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sanqu.lib import idnumber
from sanqu.regions.models import Region, RegionCode
from sanqu.workforce.models import Person, id_number_hash

# Common surnames, with the Tujia and Miao surnames of south-east Chongqing (向, 冉, 田, 龙, 石…)
# written more than once so they come up more often.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃戴向冉"
    "向冉谭田杨彭龙石陈李刘张王周"
)
MALE_CHARACTERS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
FEMALE_CHARACTERS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"  # noqa: E501


def make_name(rng: random.Random, *, male: bool) -> str:
    characters = MALE_CHARACTERS if male else FEMALE_CHARACTERS
    given = "".join(rng.choice(characters) for _ in range(1 if rng.random() < 0.2 else 2))
    return rng.choice(SURNAMES) + given


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


@dataclass
class PeopleMaker:
    """Makes unsaved Person objects with unique, valid ID numbers; `save()` bulk-inserts them."""

    rng: random.Random
    former_codes: dict[int, list[tuple[dt.date, str]]]  # region id → (valid until, former code)
    made: list[Person] = field(default_factory=list)
    numbers: set[str] = field(default_factory=set)

    @classmethod
    def for_database(cls, rng: random.Random) -> PeopleMaker:
        former: dict[int, list[tuple[dt.date, str]]] = {}
        for region_id, until, code in RegionCode.objects.order_by("valid_until").values_list(
            "region_id", "valid_until", "code"
        ):
            former.setdefault(region_id, []).append((until, code))
        return cls(rng=rng, former_codes=former)

    def address_code(self, born_in: Region, born: dt.date) -> str:
        """The county code in force on the birth date (the earliest former code still valid then)."""
        for until, code in self.former_codes.get(born_in.pk, []):
            if born < until:
                return code
        return born_in.code

    def person(
        self,
        *,
        county: Region,
        born: dt.date,
        born_in: Region | None = None,
        organisation_id: int | None = None,
        male: bool | None = None,
        phone: bool = False,
    ) -> Person:
        male = self.rng.random() < 0.4 if male is None else male
        address = self.address_code(born_in or county, born)
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = idnumber.make(address, born, sequence)
            if number not in self.numbers:
                break
        self.numbers.add(number)
        person = Person(
            name=make_name(self.rng, male=male),
            id_number=number,
            id_hash=id_number_hash(number),
            sex=idnumber.sex(number),
            county=county,
            organisation_id=organisation_id,
            phone=f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}" if phone else "",
        )
        self.made.append(person)
        return person

    def save(self) -> None:
        # bulk_create encrypts the ID numbers (EncryptedTextField.get_prep_value) and sets the ids.
        Person.objects.bulk_create(self.made, batch_size=500)
