"""User-facing texts of the conversation and the change-control flow, in Chinese (default)
and English."""

from __future__ import annotations

CHAT_TEXTS = {
    "unknown_user": {
        "zh": "您好！您还没有在工单系统登记。请把下面这个账号发给管理员，登记后即可查询和变更订单"
              "：\n"
              "{channel}账号：{user_id}",
        "en": "Hello! You are not registered with Gongdan yet. Send this id to your "
              "administrator; "
              "once registered you can query and change orders:\n{channel} id: {user_id}",
    },
    "unknown": {
        "zh": "没看懂这句话。发送“帮助”查看可以怎么说。",
        "en": "Sorry, I did not understand that. Send \"help\" to see what I can do.",
    },
    "empty": {"zh": "请输入内容。", "en": "Please type a message."},
    "rejected": {"zh": "没能办理：{reason}", "en": "Could not do that: {reason}"},
}

CHANNEL_NAMES = {
    "zh": {"wecom": "企业微信", "dingtalk": "钉钉", "web": "网页聊天"},
    "en": {"wecom": "WeCom", "dingtalk": "DingTalk", "web": "Web chat"},
}
"""Replies of the conversation itself: unregistered sender, help, not understood."""

CHANGE_TEXTS = {
    "which_order": {"zh": "请说明要变更哪张订单，例如：SO-31 数量改成500件",
                    "en": "Which order? For example: \"SO-31 qty 500\""},
    "not_found": {"zh": "没有找到您可以查看的订单 {ref}。请核对单号。",
                  "en": "No order {ref} that you can view. Please check the reference."},
    "refuse_not_your_customer": {"zh": "不能变更 {ref}：该订单的客户不归您负责，请联系负责的销售"
                                       "或主管。",
                                 "en": "You cannot change {ref}: its customer is not yours. Ask "
                                       "its salesperson or a supervisor."},
    "refuse_not_visible": {"zh": "没有找到您可以查看的订单 {ref}。请核对单号。",
                           "en": "No order {ref} that you can view. Please check the reference."},
    "refuse_role_cannot_change": {"zh": "您的角色不能变更订单（{ref}）。请联系销售或计划员。",
                                  "en": "Your role cannot change orders ({ref}). Please ask "
                                        "sales or a planner."},
    "closed": {
        "zh": "订单 {ref} 已{status}，不能再变更。",
        "en": "Order {ref} is {status} and can no longer be changed."},
    "awaiting_tech": {
        "zh": "订单 {ref} 的特殊需求还在等计划/工程确认，暂不能变更；需求可由计划员确认或修改。",
        "en": "Order {ref} is waiting for its requirements to be confirmed by a planner or "
              "engineer; it cannot be changed until then."},
    "invalid": {"zh": "无法变更 {ref}：{reason}", "en": "Cannot change {ref}: {reason}"},
    "what_if_title": {
        "zh": "【假设评估】{ref}（仅评估，不会修改订单）",
        "en": "[What-if] {ref} (assessment only, nothing changes)"},
    "card_title": {"zh": "变更影响 {cr}：{ref}", "en": "Change impact {cr}: {ref}"},
    "customer_request_title": {
        "zh": "客户申请变更 {cr}：{ref}，请确认",
        "en": "Customer change request {cr} on {ref}: please confirm"},
    "blocked": {
        "zh": "变更 {cr} 被合同条款拒绝（{ref}）：",
        "en": "Change {cr} on {ref} is refused by the contract:"},
    "sent_to_sales": {"zh": "已收到您的变更申请 {cr}（{ref}），已转给负责销售确认。",
                      "en": "Your change request {cr} on {ref} was sent to your salesperson to "
                            "confirm."},
    "nothing_pending": {
        "zh": "没有等待您确认的变更。",
        "en": "There is no change waiting for your confirmation."},
    "expired": {
        "zh": "变更 {cr} 已过期，请重新发起。",
        "en": "Change {cr} has expired; please send it again."},
    "sent_for_approval": {"zh": "变更 {cr} 影响较大，已提交主管审批，结果会通知您。",
                          "en": "Change {cr} has a high impact and went to a supervisor for "
                                "approval; you will be told the result."},
    "cancelled": {
        "zh": "已取消变更 {cr}，订单未作任何修改。",
        "en": "Change {cr} cancelled; the order is unchanged."},
    "not_yours": {
        "zh": "变更 {cr} 不是由您确认的。",
        "en": "Change {cr} is not yours to confirm."},
    "already_with_supervisor": {
        "zh": "变更 {cr} 正在等待主管审批。",
        "en": "Change {cr} is waiting for a supervisor's approval."},
    "approval_title": {
        "zh": "待审批 {cr}：{ref}（{who} 提交）",
        "en": "Approval needed {cr}: {ref} (from {who})"},
    "only_supervisors": {
        "zh": "只有主管可以审批变更。",
        "en": "Only supervisors can approve changes."},
    "which_cr": {"zh": "有多个待审批的变更：{crs}。请注明编号，例如“批准 CR-12”。",
                 "en": "Several changes await approval: {crs}. Please name one, e.g. \"approve "
                       "CR-12\"."},
    "no_approval_pending": {
        "zh": "没有待审批的变更 {cr}。",
        "en": "No change {cr} is waiting for approval."},
    "denied": {"zh": "已驳回变更 {cr}。", "en": "Change {cr} denied."},
    "denied_notice": {"zh": "您的变更 {cr}（{ref}）被 {who} 驳回，订单未修改。",
                      "en": "Your change {cr} on {ref} was denied by {who}; the order is "
                            "unchanged."},
    "applied": {"zh": "变更 {cr} 已生效：{ref} 已更新，计划已重排（版本 {plan}）。",
                "en": "Change {cr} applied: {ref} updated and replanned (plan version {plan})."},
    "applied_eta": {"zh" : "新的预计完工：{eta}。", "en": " New ETA: {eta}."},
    "superseded": {"zh": "订单 {ref} 在评估后已被修改，变更 {cr} 作废，已按最新情况重新评估：",
                   "en": "Order {ref} changed after the assessment, so {cr} was withdrawn and "
                         "re-assessed on the latest facts:"},
    "notify_requester": {
        "zh": "您的变更 {cr} 已生效：{ref} {what}。",
        "en": "Your change {cr} is applied: {ref} {what}."},
    "notify_purchasing": {
        "zh": "【采购】{cr} 变更了 {ref} 的用料：{actions}",
        "en": "[Purchasing] {cr} changed materials of {ref}: {actions}"},
    "notify_warehouse": {"zh": "【仓库】{ref} 备料有变（{cr}：{what}），请调整拣料。",
                         "en": "[Warehouse] picks for {ref} changed ({cr}: {what}); please "
                               "adjust."},
    "notify_qc": {"zh": "【质检】{ref} 规格已变更（{cr}）：{specs}，请按新规格检验。",
                  "en": "[QC] {ref} specs changed ({cr}): {specs}; inspect to the new spec."},
    "notify_shop": {"zh": "【车间】{ref} 已变更（{cr}：{what}），请查看新的排产。",
                    "en": "[Shop] {ref} changed ({cr}: {what}); check the new schedule."},
    "notify_other_slips": {"zh": "提醒：{cr} 变更 {ref} 后，您的订单 {other} 预计推迟约 {hours} "
                                 "小时。",
                           "en": "Heads-up: after {cr} on {ref}, your order {other} is expected "
                                 "about {hours} h later."},
    "notify_customer": {"zh": "您的订单 {ref} 已按变更更新，新的预计完工时间：{eta}。",
                        "en": "Your order {ref} was updated as requested; new estimated "
                              "completion: {eta}."},
    "already_closed": {"zh": "变更 {cr} 已{status}，无需再确认。",
                       "en": "Change {cr} is already {status}; there is nothing to answer."},
    "direction_unclear": {
        "zh": "{ref} 现在交期是{current}，{said}到{asked}其实是{actual}了，是要改到{asked}吗？"
              "\n回复“是”按{asked}评估，回复其他则不改。",
        "en": "{ref} is due {current} now, so {asked} is {actual}, not {said}. Change the due "
              "date to {asked}?\nReply \"yes\" to assess it; anything else changes nothing.",
    },
    "btn_confirm": {"zh": "确认", "en": "Confirm"},
    "btn_cancel": {"zh": "取消", "en": "Cancel"},
    "btn_approve": {"zh": "批准", "en": "Approve"},
    "btn_deny": {"zh": "驳回", "en": "Deny"},
    "fallback_confirm": {
        "zh": "回复 1 确认 / 2 取消（{cr}）",
        "en": "Reply 1 to confirm / 2 to cancel ({cr})"},
    "fallback_approve": {
        "zh": "回复“批准 {cr}”或“驳回 {cr}”",
        "en": "Reply \"approve {cr}\" or \"deny {cr}\""},
    "risk_line": {"zh": "风险：{level}", "en": "Risk: {level}"},
    "eta_line": {
        "zh": "新预计完工 {eta}（延误 {late} 小时）",
        "en": "New ETA {eta} ({late} h late)"},
    "eta_on_time_line": {"zh": "新预计完工 {eta}（按期）", "en": "New ETA {eta} (on time)"},
    "others_line": {"zh": "其他 {n} 张订单受影响推迟", "en": "{n} other orders slip"},
    "cost_line": {"zh": "预计费用 ¥{total}", "en": "Estimated cost ¥{total}"},
}

DIRECTION_WORDS = {
    "zh": {"earlier": "提前", "later": "推迟"},
    "en": {"earlier": "earlier", "later": "later"},
}

CR_STATUS_TEXT = {
    "zh": {"applied": "生效", "cancelled": "取消", "denied": "被驳回", "refused": "被拒绝",
           "superseded": "作废（订单已变动）", "expired": "过期"},
    "en": {"applied": "applied", "cancelled": "cancelled", "denied": "denied",
           "refused": "refused", "superseded": "withdrawn (the order changed)",
           "expired": "expired"},
}

UNDERSTOOD_TEXTS = {
    "quantity": {"zh": "数量 {before} → {after}{unit}", "en": "Quantity {before} → {after}{unit}"},
    "due_date": {"zh": "交期 {before} → {after}", "en": "Due date {before} → {after}"},
    "spec": {"zh": "{name} {before} → {after}", "en": "{name} {before} → {after}"},
    "priority_rush": {"zh": "加急", "en": "Rush"},
    "priority_normal": {"zh": "取消加急", "en": "Normal priority"},
    "add_operation": {"zh": "增加工序 {after}", "en": "Add operation {after}"},
    "remove_operation": {"zh": "去掉工序 {before}", "en": "Remove operation {before}"},
    "cancel": {"zh": "取消订单", "en": "Cancel the order"},
    "factor": {"zh": "（×{factor}）", "en": " (×{factor})"},
    "factor_rounded": {"zh": "（×{factor}，{exact}四舍五入为{after}）",
                       "en": " (×{factor}, {exact} rounded to {after})"},
    "default_unit": {"zh": "件", "en": "pcs"},
}
"""One line per understood item, before -> after, restated first on every card."""

SPEC_NAMES = {
    "zh": {"color": "颜色", "material": "材质", "size": "尺寸", "finish": "表面处理",
           "packaging": "包装", "other": "其他"},
    "en": {"color": "Colour", "material": "Material", "size": "Size", "finish": "Finish",
           "packaging": "Packaging", "other": "Other"},
}
