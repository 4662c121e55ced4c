"""Answers to a request for a customer's 微信客服 binding link, in Chinese or English."""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import render
from core.model.parties import Customer

#: At most this many of the sender's customers are named when they named none.
LISTED_CUSTOMERS = 8

KF_LINK_TEXTS = {
    "link": {
        "zh": "{name}（{code}）的微信客服绑定链接：\n{url}\n"
              "请把这个链接发给客户的联系人。对方在微信里打开后，微信就绑定到{name}，"
              "之后可以直接在微信里查询订单进度。链接{days}天内有效。",
        "en": "WeChat customer-service binding link for {name} ({code}):\n{url}\n"
              "Send this link to the customer's contact. Opening it in WeChat binds their "
              "WeChat to {name}; from then on they can ask about their orders right there. "
              "The link is valid for {days} days."},
    "not_configured": {
        "zh": "微信客服还没有配置，暂时不能生成绑定链接。请管理员设置：{missing}。",
        "en": "WeChat customer service is not set up yet, so no binding link can be made. "
              "An administrator needs to set: {missing}."},
    "ask_customer": {
        "zh": "要给哪个客户生成绑定链接？例如：给{example}发个绑定链接",
        "en": "Which customer is the binding link for? For example: \"binding link for "
              "{example}\""},
    "your_customers": {"zh": "您负责的客户：{customers}", "en": "Your customers: {customers}"},
    "unknown_customer": {
        "zh": "没有找到客户“{written}”。请核对客户名称或编号（如 C01）。",
        "en": "No customer \"{written}\". Please check the name or code (such as C01)."},
    "not_your_customer": {
        "zh": "客户“{written}”不归您负责，不能给他们生成绑定链接。请联系负责的销售或主管。",
        "en": "Customer \"{written}\" is not yours, so you cannot hand out their binding link. "
              "Ask their salesperson or a supervisor."},
    "customer_asks": {
        "zh": "您的微信已经绑定，可以直接在这里查询订单。需要给同事绑定的话，请联系负责您的销售。",
        "en": "Your WeChat is already linked: you can ask about your orders right here. To "
              "link a colleague, please ask your salesperson."},
    "role_cannot": {
        "zh": "只有销售、主管、计划员和管理员可以生成客户的微信客服绑定链接。",
        "en": "Only sales, supervisors, planners and administrators can make a customer's "
              "WeChat customer-service binding link."},
    "wecom_failed": {
        "zh": "企业微信暂时没有返回客服链接，请稍后再试。",
        "en": "WeCom did not give the customer-service link just now. Please try again later."},
}


def link_text(customer: Customer, url: str, days: int, lang: str) -> str:
    return render(KF_LINK_TEXTS, "link", lang, name=customer.name, code=customer.code, url=url,
                  days=days)


def ask_customer_text(customers: Sequence[Customer], lang: str, own: bool) -> str:
    """Which customer; a salesperson is shown their own to pick from."""
    example = customers[0].code if customers else "C01"
    text = render(KF_LINK_TEXTS, "ask_customer", lang, example=example)
    if own and customers:
        named = ", ".join(f"{c.code} {c.name}" for c in customers[:LISTED_CUSTOMERS])
        text += "\n" + render(KF_LINK_TEXTS, "your_customers", lang, customers=named)
    return text


def kf_link_text(key: str, lang: str, **values: object) -> str:
    return render(KF_LINK_TEXTS, key, lang, **values)
