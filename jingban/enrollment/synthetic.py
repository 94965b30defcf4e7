"""A synthetic population seen through several sources, with the truth known (for the tests,
the benchmark and the demo): typos, swapped digits, missing phones, old 15-digit IDs,
traditional-character and full-width variants, moves, and people registered twice."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from jingban.core import ids

AREAS = ("330106", "330102", "330105", "330108", "330110", "330109", "330122", "330127")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
            "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红娥玲飞鹏辉建国文斌宇浩凯"
         "健俊帆帅旭宁龙林欣雪琳晶婷颖慧琴云莉莹梅丹倩燕慧佳嘉怡晨阳博睿轩诚书东海波宏亮志"
         "伦锋鑫")
TRADITIONAL = {"张": "張", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳",
               "郑": "鄭", "谢": "謝", "许": "許", "韩": "韓", "冯": "馮", "邓": "鄧", "萧": "蕭",
               "罗": "羅", "丽": "麗", "强": "強", "军": "軍", "艳": "艷", "涛": "濤", "华": "華",
               "兰": "蘭", "红": "紅", "玲": "玲", "飞": "飛", "鹏": "鵬", "辉": "輝", "国": "國",
               "宁": "寧", "龙": "龍", "晶": "晶", "颖": "穎", "云": "雲", "莉": "莉", "莹": "瑩",
               "梅": "梅", "丹": "丹", "倩": "倩", "燕": "燕", "阳": "陽", "书": "書", "东": "東",
               "波": "波", "宏": "宏", "亮": "亮", "伦": "倫", "锋": "鋒", "鑫": "鑫", "伟": "偉"}
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)} | {"X": "Ｘ"}


@dataclass(frozen=True)
class Truth:
    key: int
    name: str
    sex: str
    birth: dt.date
    area: str
    citizen_id: str
    phone: str
    employed: bool


def population(n: int, seed: int = 14, start: int = 0) -> list[Truth]:
    """``n`` distinct people with valid, unique citizen IDs and phones."""
    rng = random.Random(seed)
    out, used = [], set()
    for i in range(start, start + n):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 84))
        area = rng.choice(AREAS)
        while True:
            seq = rng.randrange(1, 1000)
            cid = ids.make_citizen_id(area, birth, seq)
            if cid not in used:
                used.add(cid)
                break
        sex = "M" if seq % 2 else "F"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('3578')}{i:09d}"
        out.append(Truth(i, name, sex, birth, area, cid, phone, rng.random() < 0.55))
    return out


@dataclass(frozen=True)
class Noise:
    """Share of records with each kind of error."""

    typo: float = 0.04
    traditional: float = 0.05
    swapped: float = 0.02
    old_id: float = 0.04
    no_id: float = 0.02
    no_phone: float = 0.15
    moved: float = 0.03
    full_width: float = 0.03
    birth_typo: float = 0.01


def old_id(cid: str) -> str:
    """The 15-digit first-generation form (no century, no check digit)."""
    return cid[:6] + cid[8:17]


def swap(text: str, rng: random.Random, low: int, high: int) -> str:
    for _ in range(5):
        i = rng.randrange(low, high - 1)
        if text[i] != text[i + 1]:
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def noisy(person: Truth, rng: random.Random, noise: Noise) -> dict:
    """One source's row about a person, as a department might send it."""
    name, cid, phone = person.name, person.citizen_id, person.phone
    birth, area = person.birth.isoformat(), person.area
    if rng.random() < noise.typo:
        i = rng.randrange(1, len(name))
        name = name[:i] + rng.choice(GIVEN) + name[i + 1:]
    if rng.random() < noise.traditional:
        name = "".join(TRADITIONAL.get(ch, ch) for ch in name)
    if rng.random() < noise.old_id and person.birth.year < 2000:
        cid = old_id(cid)
    elif rng.random() < noise.swapped:
        cid = swap(cid, rng, 10, 17)
    if rng.random() < noise.full_width:
        cid = "".join(FULL_WIDTH.get(ch, ch) for ch in cid)
        name = name[0] + " " + name[1:]
    if rng.random() < noise.no_id:
        cid = ""
    if rng.random() < noise.no_phone:
        phone = ""
    elif rng.random() < 0.2:
        phone = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if rng.random() < noise.moved:
        area = rng.choice(AREAS)
    if rng.random() < noise.birth_typo:
        birth = swap(birth.replace("-", ""), rng, 4, 8)
        birth = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
    return {"citizen_id": cid, "name": name, "sex": "男" if person.sex == "M" else "女",
            "birth_date": birth, "household_region": area, "phone": phone}


def sources(people: list[Truth], seed: int = 41, noise: Noise | None = None,
            shares: dict[str, float] | None = None) -> Iterator[tuple[str, int, dict]]:
    """(source, truth key, row): the police see nearly everyone, tax the employed, civil
    affairs a share; each row with its own noise."""
    rng, noise = random.Random(seed), noise or Noise()
    shares = shares or {"police": 0.97, "tax": 1.0, "civil": 0.3}
    for person in people:
        for source, share in shares.items():
            if source == "tax" and not person.employed:
                continue
            if rng.random() < share:
                yield source, person.key, noisy(person, rng, noise)


def valid_birth(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
