"""The web chat page: one inline HTML document, no build step.

A first-time user must know what to do without being told: the page greets
the chosen person before anyone types, with examples that fit their role to
tap (a customer is not offered 报工), shows that the bot is working while a
replan takes seconds, keeps the send button off until the answer is in, and
says so when the network fails. A 中文/English toggle switches the page's own
words and examples; the bot answers in the person's language.

Text from the server is only ever inserted with textContent, never as HTML,
so a reply cannot inject markup into the page; links in replies become <a>
elements built from the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>工单助手 Gongdan</title>
<style>
 *{box-sizing:border-box}
 html,body{height:100%}
 body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",
   sans-serif;margin:0;background:#f2f3f5;color:#1f2328;display:flex;flex-direction:column;
   height:100vh;height:100dvh;overflow-wrap:anywhere}
 header{display:flex;flex-wrap:wrap;gap:.4rem .6rem;align-items:center;padding:.5rem .8rem;
   background:#1f6feb;color:#fff}
 header strong{font-size:1.05rem;margin-right:auto;white-space:nowrap}
 header label{display:flex;align-items:center;gap:.3rem;font-size:.85rem;min-width:0}
 header select,header input{padding:.3rem;border-radius:4px;border:0;max-width:44vw;
   font-size:.9rem}
 #lang{background:transparent;color:#fff;border:1px solid #fff;border-radius:4px;
   padding:.25rem .55rem;font-size:.85rem;cursor:pointer}
 #log{flex:1;overflow-y:auto;padding:.8rem;width:100%;max-width:760px;margin:0 auto}
 .me,.bot{margin:.45rem 0;padding:.55rem .75rem;border-radius:10px;max-width:88%;
   white-space:pre-wrap;line-height:1.45;font-size:.95rem}
 .me{background:#95ec69;margin-left:auto;width:fit-content}
 .bot{background:#fff;width:fit-content}
 .bot h4{margin:0 0 .3rem;font-size:1rem}
 .card{border:1px solid #d0d7de}
 .card button,.chips button{margin:.4rem .4rem 0 0;padding:.4rem .85rem;border-radius:16px;
   border:1px solid #1f6feb;background:#fff;color:#1f6feb;cursor:pointer;font-size:.9rem}
 .card button.primary{background:#1f6feb;color:#fff}
 button:disabled{opacity:.45;cursor:default}
 .greet{white-space:normal}
 .chips{display:flex;flex-wrap:wrap}
 .chips button{text-align:left}
 .hint{color:#666;font-size:.85em;margin-top:.3rem}
 .err{color:#b42318;background:#fff4f2}
 .typing{color:#57606a}
 .typing i{display:inline-block;width:6px;height:6px;margin:0 2px;border-radius:50%;
   background:#8c959f;animation:blink 1.2s infinite}
 .typing i:nth-child(2){animation-delay:.2s} .typing i:nth-child(3){animation-delay:.4s}
 @keyframes blink{0%,80%,100%{opacity:.2}40%{opacity:1}}
 form{display:flex;gap:.5rem;width:100%;max-width:760px;margin:0 auto;
   padding:.5rem .8rem calc(.5rem + env(safe-area-inset-bottom))}
 form input{flex:1;min-width:0;padding:.65rem;border-radius:8px;border:1px solid #ccc;
   font-size:1rem}
 form button{padding:.6rem 1rem;border-radius:8px;border:0;background:#1f6feb;color:#fff;
   font-size:1rem}
 a{color:#0b62d6}
</style>
</head>
<body>
<header>
 <strong id="brand">工单助手</strong>
 <label><span id="who-label">我是</span> <select id="who"></select></label>
 <input id="token" type="password" placeholder="admin token" hidden>
 <button id="lang" type="button">English</button>
</header>
<div id="log" aria-live="polite"></div>
<form id="f"><input id="text" autocomplete="off" enterkeyhint="send">
<button id="send">发送</button></form>
<script>
const DEMO = __DEMO__;
const PRESET = __PEOPLE__;
const UI = {
  zh: {brand: '工单助手', who: '我是', send: '发送', other: 'English',
    placeholder: '输入消息，例如：SO-31 到哪了', tap: '点一下试试：',
    hello: '您好，{name}！我是工单助手。',
    pickToken: '请先在右上角输入管理员令牌，再选择您是谁。',
    working: '正在处理', slow: '正在重新排产，通常几秒钟…',
    failed: '出错了（{status}），请稍后再试。', offline: '网络连接失败，请检查网络后重试。',
    queued: '处理时间较长，结果稍后会发到这里。', people: '无法读取人员列表：',
    intro: {
      customer: '我可以告诉您订单做到哪一步、预计哪天完工。',
      sales: '改单（数量、交期、颜色、加急）我会先算出影响给您确认；也可以查进度、问最早交期。',
      supervisor: '我可以列出延误和今天要交的订单、瓶颈和产能，并处理需要您审批的变更。',
      planner: '我可以列出延误和今天要交的订单、瓶颈和产能。',
      admin: '我可以列出延误和今天要交的订单、瓶颈和产能。',
      operator: '报工（做完多少、报废多少）请直接发给我，计划会随之更新。',
      other: '我可以查询订单进度和延误情况。'}},
  en: {brand: 'Gongdan', who: 'I am', send: 'Send', other: '中文',
    placeholder: 'Type a message, e.g. where is SO-31', tap: 'Tap to try:',
    hello: 'Hello {name}! I am the Gongdan assistant.',
    pickToken: 'Enter the admin token at the top right first, then pick who you are.',
    working: 'Working', slow: 'Replanning the shop, this usually takes a few seconds…',
    failed: 'Something went wrong ({status}); please try again.',
    offline: 'The network failed; check the connection and try again.',
    queued: 'This takes longer; the answer will appear here.', people: 'Cannot load people: ',
    intro: {
      customer: 'I can tell you how far your orders are and when they will be ready.',
      sales: 'Tell me a change (quantity, due date, colour, rush) and I show its impact '
        + 'before anything is applied; ask for progress or the earliest date too.',
      supervisor: 'I list late orders and what is due today, the bottleneck and the load, '
        + 'and bring you the changes that need your approval.',
      planner: 'I list late orders and what is due today, the bottleneck and the load.',
      admin: 'I list late orders and what is due today, the bottleneck and the load.',
      operator: 'Report your work (done, scrap) here and the plan follows.',
      other: 'I can tell you how orders are progressing and which are late.'}}
};
const EXAMPLES = {
  zh: {
    customer: ['{ref} 到哪了', '我的订单哪些会延误'],
    sales: ['{ref} 到哪了', '{ref} 数量改成 500 件', '{ref} 交期提前 3 天', '{ref} 加急',
      '哪些订单会延误', 'L型办公桌 300张最早什么时候能交'],
    supervisor: ['哪些订单会延误', '今天要交哪些', '瓶颈在哪', '{ref} 到哪了'],
    planner: ['哪些订单会延误', '瓶颈在哪', '这周产能怎么样', '{ref} 到哪了'],
    admin: ['哪些订单会延误', '瓶颈在哪', '{ref} 到哪了'],
    operator: ['{ref} {op} 完成 10 件', '{ref} {op} 完成 8 件 报废 1 件', '{ref} 到哪了'],
    other: ['{ref} 到哪了', '哪些订单会延误']},
  en: {
    customer: ['where is {ref}', 'which of my orders will be late'],
    sales: ['where is {ref}', '{ref} quantity to 500', '{ref} due 3 days earlier',
      'rush {ref}', 'which orders will be late', 'how soon can we make 50 F-DESK-L'],
    supervisor: ['which orders will be late', 'due today', 'which work center is the bottleneck',
      'where is {ref}'],
    planner: ['which orders will be late', 'which work center is the bottleneck',
      'where is {ref}'],
    admin: ['which orders will be late', 'which work center is the bottleneck',
      'where is {ref}'],
    operator: ['{ref} {op} finished 10', '{ref} {op} finished 8, 1 scrapped', 'where is {ref}'],
    other: ['where is {ref}', 'which orders will be late']}
};
const ROLE = {zh: {sales: '销售', customer: '客户', supervisor: '主管', planner: '计划员',
  operator: '操作工', purchasing: '采购', warehouse: '仓库', qc: '质检', admin: '管理员'},
  en: {sales: 'sales', customer: 'customer', supervisor: 'supervisor', planner: 'planner',
  operator: 'operator', purchasing: 'purchasing', warehouse: 'warehouse', qc: 'QC',
  admin: 'admin'}};
let lang = localStorage.getItem('gongdan_lang') || 'zh';
if (!UI[lang]) lang = 'zh';
let people = [], busy = false;
const $ = id => document.getElementById(id);
const log = $('log'), who = $('who'), token = $('token'), input = $('text'), sendBtn = $('send');
if (!DEMO) { token.hidden = false; token.value = localStorage.getItem('gongdan_token') || ''; }
token.addEventListener('change', () => {
  localStorage.setItem('gongdan_token', token.value); loadPeople();
});
function t(key) { return UI[lang][key]; }
function headers() {
  const h = {'Content-Type': 'application/json'};
  if (token.value) h['Authorization'] = 'Bearer ' + token.value;
  return h;
}
function el(tag, cls, text) {
  const e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; return e;
}
const URL_RE = /(https?:\\/\\/[^\\s]+|\\/(?:plan|orders\\/[^\\s]+)\\?[^\\s]*)/g;
function rich(parent, text) {
  // a reply's text: '### title' lines bold, '**x**' without the stars, links clickable
  for (const [i, line] of text.split('\\n').entries()) {
    if (i) parent.appendChild(document.createTextNode('\\n'));
    let body = line, holder = parent;
    if (/^#{1,6} /.test(line)) { holder = el('b'); parent.appendChild(holder);
      body = line.replace(/^#{1,6} /, ''); }
    body = body.replace(/\\*\\*(.+?)\\*\\*/g, '$1');
    let last = 0;
    for (const m of body.matchAll(URL_RE)) {
      holder.appendChild(document.createTextNode(body.slice(last, m.index)));
      const a = el('a', '', m[0]); a.href = m[0]; a.target = '_blank'; a.rel = 'noopener';
      holder.appendChild(a); last = m.index + m[0].length;
    }
    holder.appendChild(document.createTextNode(body.slice(last)));
  }
}
function scroll() { log.scrollTop = log.scrollHeight; }
function say(cls, text) { const d = el('div', cls, text); log.appendChild(d); scroll(); return d; }
function person() { return people.find(p => p.id === who.value); }
function fillPeople(list) {
  people = list; who.textContent = '';
  for (const p of list) {
    const o = el('option', '', `${p.name}（${ROLE[lang][p.role] || p.role}）`);
    o.value = p.id; who.appendChild(o);
  }
  const kept = localStorage.getItem('gongdan_who');
  if (kept && list.some(p => p.id === kept)) who.value = kept;
  else if (list.some(p => p.role === 'sales')) who.value = list.find(p => p.role === 'sales').id;
  greet();
}
async function loadPeople() {
  if (PRESET) { fillPeople(PRESET); return; }
  if (!token.value) { greet(); return; }
  try {
    const r = await fetch('/api/people', {headers: headers()});
    if (r.ok) fillPeople(await r.json());
    else say('bot err', t('people') + r.status);
  } catch (e) { say('bot err', t('offline')); }
}
function examples(p) {
  const set = EXAMPLES[lang];
  const list = set[p.role] || set.other;
  const ref = p.example_order || 'SO-31';
  const op = p.example_operation || (lang === 'zh' ? '开料' : 'cutting');
  return list.map(x => x.replaceAll('{ref}', ref).replaceAll('{op}', op));
}
function greet() {
  log.textContent = '';
  const p = person();
  const d = el('div', 'bot greet');
  d.id = 'greeting';
  if (!p) { d.textContent = t('pickToken'); log.appendChild(d); return; }
  d.appendChild(el('div', '', t('hello').replace('{name}', p.name)));
  d.appendChild(el('div', '', t('intro')[p.role] || t('intro').other));
  d.appendChild(el('div', 'hint', t('tap')));
  const chips = el('div', 'chips');
  for (const x of examples(p)) {
    const b = el('button', 'example', x); b.type = 'button';
    b.addEventListener('click', () => { if (!busy) send({text: x}, x); });
    chips.appendChild(b);
  }
  d.appendChild(chips);
  log.appendChild(d);
}
function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('brand').textContent = t('brand'); $('who-label').textContent = t('who');
  sendBtn.textContent = t('send'); $('lang').textContent = t('other');
  input.placeholder = t('placeholder');
  for (const o of who.options) {
    const p = people.find(x => x.id === o.value);
    if (p) o.textContent = `${p.name}（${ROLE[lang][p.role] || p.role}）`;
  }
}
$('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh'; localStorage.setItem('gongdan_lang', lang);
  applyLang(); if (!log.querySelector('.me')) greet();
});
who.addEventListener('change', () => { localStorage.setItem('gongdan_who', who.value); greet(); });
function show(reply) {
  const d = el('div', reply.kind === 'card' ? 'bot card' : 'bot');
  if (reply.title && !(reply.text || '').startsWith('#')) d.appendChild(el('h4', '', reply.title));
  const body = el('div'); rich(body, reply.text || ''); d.appendChild(body);
  if (reply.image_png_b64) {
    const i = el('img'); i.src = 'data:image/png;base64,' + reply.image_png_b64;
    i.style.maxWidth = '100%'; d.appendChild(i);
  }
  if (reply.kind === 'card' && reply.buttons && reply.buttons.length) {
    const row = el('div');
    for (const b of reply.buttons) {
      const btn = el('button', b.style === 1 ? 'primary' : '', b.text);
      btn.addEventListener('click', () => {
        if (busy) return;
        row.querySelectorAll('button').forEach(x => x.disabled = true);
        send({button: b.key}, b.text);
      });
      row.appendChild(btn);
    }
    d.appendChild(row);
  }
  log.appendChild(d); scroll();
}
function setBusy(on) {
  busy = on; sendBtn.disabled = on;
  log.querySelectorAll('.chips button').forEach(b => b.disabled = on);
}
async function send(body, echo) {
  if (busy || !who.value) return;
  say('me', echo);
  setBusy(true);
  const typing = el('div', 'bot typing');
  typing.id = 'typing';
  typing.append(el('span', '', t('working') + ' '), el('i'), el('i'), el('i'));
  log.appendChild(typing); scroll();
  const slow = setTimeout(() => { typing.firstChild.textContent = t('slow') + ' '; }, 1500);
  try {
    const r = await fetch('/api/chat', {method: 'POST', headers: headers(),
      body: JSON.stringify(Object.assign({user: who.value}, body))});
    typing.remove();
    if (!r.ok) { say('bot err', t('failed').replace('{status}', r.status)); return; }
    const data = await r.json();
    for (const reply of data.replies || []) show(reply);
    if (data.queued) say('bot hint', t('queued'));
  } catch (e) {
    typing.remove(); say('bot err', t('offline'));
  } finally {
    clearTimeout(slow); setBusy(false); input.focus();
  }
}
$('f').addEventListener('submit', e => {
  e.preventDefault();
  if (busy) return;
  if (input.value.trim()) { send({text: input.value}, input.value); input.value = ''; }
});
applyLang();
loadPeople();
</script>
</body>
</html>
"""


def chat_page(demo: bool, people: Sequence[Mapping[str, Any]] | None) -> str:
    """The page; in demo mode the people list is embedded so no token is needed."""
    preset = json.dumps(list(people), ensure_ascii=False) if people is not None else "null"
    # JSON inside <script>: make '</' harmless
    preset = preset.replace("</", "<\\/")
    return _PAGE.replace("__DEMO__", "true" if demo else "false").replace("__PEOPLE__", preset)
