"""Complaint and report rules (举报投诉, R§51 and its 解读; Z-12(1)): the clock, the screening,
who may know the reporter, the reward. Pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

KINDS = {"report": "举报", "complaint": "投诉"}
CHANNELS = {"counter": "柜台来访", "phone": "电话", "web": "网上（门户）", "public": "网上（公开举报）"}
ACCUSED_KINDS = {"employer": "用人单位", "person": "个人", "institution": "社会保险服务机构",
                 "other": "其他"}
SCREENINGS = {"accepted": "受理", "not_accepted": "不予受理", "transferred": "移送有管辖权的部门"}
OUTCOMES = {"confirmed": "查证属实", "partly_confirmed": "部分属实", "unfounded": "查无实据"}
NOTICE_CHANNELS = {"paper": "纸质通知", "email": "电子邮件", "sms": "短信"}
STATUSES = {"received": "待审查", "accepted": "已受理", "not_accepted": "不予受理",
            "transferred": "已移送", "investigating": "调查中", "concluded": "已办结"}
OPEN = {"received", "accepted", "investigating"}
STEP_NAMES = {"intake": "接收", "screen": "审查", "notice": "告知举报人", "investigate": "调查",
              "conclude": "办结", "reward": "发放奖励"}
HIDDEN = "（保密）"

SCREENING_BASIS = "《社会保险经办条例》第五十一条解读：接收举报事项后5个工作日内审查"
NOTICE_BASIS = "《社会保险经办条例》第五十一条解读：10个工作日内告知有告知要求的实名举报人"
REWARD_BASIS = "郑州通知第十二部分(一)：举报线索经查证属实的，给予奖励"


def late_problem(today: dt.date, due: dt.date, late_reason: str, what: str,
                 basis: str) -> tuple[str, str] | None:
    """A step done after its statutory limit must say why (R§51 解读); None when in time or
    explained."""
    if today <= due or late_reason.strip():
        return None
    return "complaint.late_reason", f"{what}已超过时限（应于{due}前办理，{basis}），须填写超期原因"


def screening_problem(screening: str, reason: str, transferred_to: str) -> tuple[str, str, str] | None:
    """Not accepting needs a reason; a transfer names the competent department (R§51 解读)."""
    if screening == "not_accepted" and not reason.strip():
        return "complaint.reason", "不予受理须说明理由", "reason"
    if screening == "transferred" and not transferred_to.strip():
        return "complaint.transferred_to", "移送须写明有管辖权的部门", "transferred_to"
    return None


def needs_notice(anonymous: bool, wants_notice: bool) -> bool:
    """Only a real-name reporter who asked to be told is owed the notice (R§51 解读)."""
    return not anonymous and wants_notice


def reward_fen(confirmed_fen: int, rate: Decimal, minimum_fen: int, maximum_fen: int) -> int:
    """A confirmed report's reward: the rate of the confirmed amount, rounded half-up to the fen,
    at least the minimum (also when no fund loss was caused) and at most the cap per report
    (Z-12(1); 人社部发〔2022〕45号)."""
    amount = (Decimal(confirmed_fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(min(max(amount, Decimal(minimum_fen)), Decimal(maximum_fen)))


def reward_problem(status: str, outcome: str | None, anonymous: bool,
                   paid: bool) -> tuple[str, str] | None:
    """Why no reward may be paid: the report is not concluded as confirmed, it is anonymous
    (the reward goes to a named reporter), or it was paid already (Z-12(1))."""
    if paid:
        return "complaint.reward_paid", "该举报的奖励已发放，不能重复发放"
    if status != "concluded" or outcome not in {"confirmed", "partly_confirmed"}:
        return "complaint.not_confirmed", "举报经查证属实并办结后方可发放奖励"
    if anonymous:
        return "complaint.anonymous", "匿名举报无法确认举报人身份，不予发放奖励"
    return None


def blot(text: str, identity: list[str]) -> str:
    """The text with every trace of the reporter's identity blotted out (R§51: kept secret)."""
    for said in sorted((x.strip() for x in identity if x and x.strip()), key=len, reverse=True):
        text = text.replace(said, HIDDEN)
    return text


def inspection_reason(number: str, kind: str, facts: str, identity: list[str]) -> str:
    """What an inspection opened for a report is told: the report's number and facts, never
    who reported it."""
    return f"举报投诉线索（{kind}，编号{number}）：{blot(facts, identity)}"[:300]
