"""The SMS copy in both languages, rendered with masked data (conversation.lint keeps it scam-proof)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from smsbot.privacy import mask_name

FIELD_LABELS = {
    "zh": {"name": "姓名", "amount": "申请金额", "term": "期限", "purpose": "用途", "other": "其他信息"},
    "en": {"name": "name", "amount": "loan amount", "term": "term", "purpose": "purpose", "other": "details"},
}

ZH = {
    "notice": "{sig}{name}您好，您{when}提交的{amount}贷款申请已受理，审核中。无误回1，需更正回2。客服{hotline}，回T退订",
    "confirmation_received": "{sig}已收到您的确认，申请正在审核中，结果将短信告知。本行不会索要密码或要求转账。客服{hotline}",
    "field_menu": "{sig}请回复需更正项目的序号：1姓名 2金额 3期限 4用途 5其他。身份证号、手机号请致电{hotline}更正",
    "value_prompt_name": "{sig}请回复正确的姓名。回复人工可转客服",
    "value_prompt_amount": "{sig}请回复正确的申请金额（元），如50000。回复人工可转客服",
    "value_prompt_term": "{sig}请回复正确的期限（月），如12。回复人工可转客服",
    "value_prompt_purpose": "{sig}请简要回复正确的贷款用途。回复人工可转客服",
    "value_prompt_other": "{sig}请简要说明需更正的内容。回复人工可转客服",
    "correction_received": "{sig}您将{field}更正为{value}，我们核实后将重新发送申请信息。客服{hotline}",
    "handoff": "{sig}您的消息已转人工客服，将在工作时间尽快回复，也可致电{hotline}。本行不会索要密码或要求转账",
    "opt_out_confirmation": "{sig}您已退订贷款进度短信，今后不再发送。查询请致电{hotline}，回复恢复接收可重新订阅",
    "opted_in": "{sig}您已恢复接收贷款进度短信，客服将尽快与您联系。客服{hotline}",
    "help": "{sig}此为贷款申请进度短信：回1确认，回2更正，回人工转客服，回T退订。官方客服{hotline}，本行不会要求转账",
    "reminder": "{sig}{name}您好，您的贷款申请信息尚待核对：无误回1，需更正回2。如非本人申请请致电{hotline}。回T退订",
    "wrong_person": "{sig}抱歉打扰，我们将核实并停止向本号码发送该申请信息。如有疑问请致电{hotline}",
    "reprompt_confirmation": "{sig}抱歉未能识别您的回复。申请信息无误请回1，需更正请回2，转人工请回复人工",
    "no_application": "{sig}未找到与本号码相关的进行中申请。如有疑问请致电{hotline}。回T退订",
    # Progress notices (states.decisions): no reason for a decline, no deadline, the amount rounded.
    "decision_documents_needed": "{sig}{name}您好，您的贷款申请需补充材料，客服将与您联系，也可致电{hotline}。"
    "本行不会索要密码或要求转账",
    "decision_approved": "{sig}{name}您好，您的贷款申请已审批通过，金额{amount}。本行不会索要密码或要求转账。客服{hotline}",
    "decision_disbursed": "{sig}{name}您好，您申请的{amount}贷款已发放。本行不会索要密码或要求转账。客服{hotline}",
    "decision_declined": "{sig}{name}您好，很抱歉，您的贷款申请未能通过审核。如有疑问请致电{hotline}。本行不会要求转账",
    "decision_withdrawn": "{sig}{name}您好，您的贷款申请已撤回，不再审核。如有疑问请致电{hotline}",
}

EN = {
    "notice": "{sig}{name}, your loan application for {amount} ({when}) is under review. "
    "Reply 1 if correct, 2 to correct. Help {hotline}. STOP to opt out",
    "confirmation_received": "{sig}Thanks, your details are confirmed and your application is under review. "
    "We will never ask for passwords, codes or payments. Help {hotline}",
    "field_menu": "{sig}What needs correcting? Reply 1 Name, 2 Amount, 3 Term, 4 Purpose, 5 Other. "
    "To change ID or phone number call {hotline}",
    "value_prompt_name": "{sig}Please reply with your correct name. Reply AGENT for a person",
    "value_prompt_amount": "{sig}Please reply with the correct loan amount, e.g. 50000. Reply AGENT for a person",
    "value_prompt_term": "{sig}Please reply with the correct term in months, e.g. 12. Reply AGENT for a person",
    "value_prompt_purpose": "{sig}Please reply with the correct purpose of the loan. Reply AGENT for a person",
    "value_prompt_other": "{sig}Please tell us briefly what needs correcting. Reply AGENT for a person",
    "correction_received": "{sig}You asked to change the {field} to {value}. "
    "We will check it and send your details again. Help {hotline}",
    "handoff": "{sig}Your message has been passed to our staff, who will reply during business hours. "
    "You can also call {hotline}. We never ask for payments",
    "opt_out_confirmation": "{sig}You are unsubscribed from loan status texts and will receive no further "
    "messages. Reply START to resubscribe. Help {hotline}",
    "opted_in": "{sig}You are subscribed to loan status texts again. Our staff will be in touch. Help {hotline}",
    "help": "{sig}Loan application status texts. Reply 1 confirm, 2 correct, AGENT for staff, STOP to opt out. "
    "Official helpline {hotline}. We never ask for payments",
    "reminder": "{sig}Hi {name}, please check your loan application details. Reply 1 if correct, 2 to correct. "
    "Not you? Call {hotline}. STOP to opt out",
    "wrong_person": "{sig}Sorry to bother you. We will check and stop sending this application's details to "
    "this number. Questions: {hotline}",
    "reprompt_confirmation": "{sig}Sorry, we could not read your reply. Reply 1 if the details are correct, "
    "2 to correct them, or AGENT for a person",
    "no_application": "{sig}We found no open loan application for this number. Questions: {hotline}. STOP to opt out",
    "decision_documents_needed": "{sig}{name}, your loan application needs more documents. Our staff will "
    "contact you, or call {hotline}. We never ask for payments",
    "decision_approved": "{sig}{name}, your loan application has been approved for {amount}. "
    "We never ask for passwords, codes or payments. Help {hotline}",
    "decision_disbursed": "{sig}{name}, your loan of {amount} has been paid out. "
    "We never ask for passwords, codes or payments. Help {hotline}",
    "decision_declined": "{sig}{name}, we are sorry, your loan application was not approved. "
    "Questions: call {hotline}. We never ask for payments",
    "decision_withdrawn": "{sig}{name}, your loan application has been withdrawn and is no longer under review. "
    "Questions: {hotline}",
}
TEMPLATES = {"zh": ZH, "en": EN}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a notice says: the application's details as of one notice version."""

    name: str
    amount_minor: int
    currency: str
    submitted_at: datetime
    timezone: str


def language(locale: str) -> str:
    return "zh" if locale.lower().startswith("zh") else "en"


def signature_prefix(locale: str, name: str) -> str:
    """What every text starts with: the lender's name (DOMAIN.md), 【示例农商银行】 or `ExampleBank: `."""
    return f"【{name}】" if language(locale) == "zh" else f"{name}: "


def render(
    template: str,
    *,
    locale: str,
    signature: str,
    hotline: str,
    facts: NoticeFacts | None = None,
    field: str | None = None,
    value: int | str | None = None,
) -> str:
    """Render one template. Names are masked, amounts rounded, the phone number never appears."""
    lang = language(locale)
    if template == "reprompt_value":
        template = f"value_prompt_{field or 'other'}"
    params: dict[str, object] = {"sig": signature_prefix(locale, signature), "hotline": hotline}
    if facts is not None:
        params |= {
            "name": mask_name(facts.name),
            "amount": format_amount(facts.amount_minor, lang),
            "when": format_when(facts.submitted_at, facts.timezone, lang),
        }
    if field is not None:
        params |= {"field": FIELD_LABELS[lang][field], "value": format_value(field, value, lang)}
    return TEMPLATES[lang][template].format(**params)


def format_amount(amount_minor: int, lang: str) -> str:
    """The rounded amount of a notice: 5万元 / 5.5万元 / 3000元, or 50,000 in English."""
    yuan = amount_minor // 100
    if lang == "en":
        return f"{yuan:,}"
    if yuan >= 10_000:
        wan = round(yuan / 10_000, 1)
        return f"{wan:g}万元"
    return f"{yuan}元"


def format_when(moment: datetime, tz: str, lang: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    if lang == "zh":
        return f"{local.month}月{local.day}日{local:%H:%M}"
    return f"{local:%b} {local.day} {local:%H:%M}"


def format_value(field: str, value: int | str | None, lang: str) -> str:
    if field == "amount" and isinstance(value, int):
        return f"{value}元" if lang == "zh" else f"{value:,}"
    if field == "term" and isinstance(value, int):
        return f"{value}个月" if lang == "zh" else f"{value} months"
    return str(value)[:40]
