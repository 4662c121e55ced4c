"""The web chat page: one inline HTML document, no build step.

Text from the server is only ever inserted with textContent, never as HTML,
so a reply cannot inject markup into the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>工单助手 Gongdan</title>
<style>
 body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f2f3f5}
 header{display:flex;gap:.5rem;align-items:center;padding:.6rem 1rem;background:#1f6feb;color:#fff}
 header select,header input{padding:.3rem;border-radius:4px;border:0}
 #log{max-width:760px;margin:0 auto;padding:1rem;height:calc(100vh - 9rem);overflow-y:auto}
 .me,.bot{margin:.4rem 0;padding:.5rem .7rem;border-radius:8px;max-width:80%;
   white-space:pre-wrap}
 .me{background:#95ec69;margin-left:auto}
 .bot{background:#fff}
 .card{border:1px solid #d0d7de}
 .card h4{margin:0 0 .3rem}
 .card button{margin:.4rem .4rem 0 0;padding:.3rem .8rem;border-radius:4px;
   border:1px solid #1f6feb;
   background:#fff;color:#1f6feb;cursor:pointer}
 .card button.primary{background:#1f6feb;color:#fff}
 .card button:disabled{opacity:.45;cursor:default}
 .hint{color:#666;font-size:.85em;margin-top:.3rem}
 .err{color:#b42318}
 form{display:flex;gap:.5rem;max-width:760px;margin:0 auto;padding:0 1rem}
 form input{flex:1;padding:.6rem;border-radius:6px;border:1px solid #ccc}
 form button{padding:.6rem 1.2rem}
</style>
</head>
<body>
<header>
 <strong>工单助手</strong>
 <label>我是 / I am <select id="who"></select></label>
 <input id="token" type="password" placeholder="admin token" hidden>
</header>
<div id="log" aria-live="polite"></div>
<form id="f"><input id="text" autocomplete="off"
 placeholder="例如：SO-2024-031 数量改成500件 / where is SO-12">
<button>发送 Send</button></form>
<script>
const DEMO = __DEMO__;
const PRESET = __PEOPLE__;
const log = document.getElementById('log'), who = document.getElementById('who');
const token = document.getElementById('token');
if (!DEMO) { token.hidden = false; token.value = localStorage.getItem('gongdan_token') || ''; }
token.addEventListener('change', () => {
  localStorage.setItem('gongdan_token', token.value); loadPeople();
});
function headers() {
  const h = {'Content-Type': 'application/json'};
  if (token.value) h['Authorization'] = 'Bearer ' + token.value;
  return h;
}
function el(tag, cls, text) {
  const e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; return e;
}
function fillPeople(people) {
  who.textContent = '';
  for (const p of people) {
    const o = el('option', '', `${p.name} (${p.role})`);
    o.value = p.id; who.appendChild(o);
  }
}
async function loadPeople() {
  if (PRESET) { fillPeople(PRESET); return; }
  const r = await fetch('/api/people', {headers: headers()});
  if (r.ok) fillPeople(await r.json());
  else say('bot err', '无法读取人员列表 / cannot load people: ' + r.status);
}
function say(cls, text) {
  const d = el('div', cls, text); log.appendChild(d); log.scrollTop = log.scrollHeight; return d;
}
function show(reply) {
  const d = el('div', reply.kind === 'card' ? 'bot card' : 'bot');
  if (reply.title) d.appendChild(el('h4', '', reply.title));
  d.appendChild(el('div', '', reply.text));
  if (reply.image_png_b64) {
    const i = el('img'); i.src = 'data:image/png;base64,' + reply.image_png_b64;
    i.style.maxWidth = '100%'; d.appendChild(i);
  }
  if (reply.kind === 'card' && reply.buttons.length) {
    const row = el('div');
    for (const b of reply.buttons) {
      const btn = el('button', b.style === 1 ? 'primary' : '', b.text);
      btn.addEventListener('click', () => {
        row.querySelectorAll('button').forEach(x => x.disabled = true);
        send({button: b.key}, b.text);
      });
      row.appendChild(btn);
    }
    d.appendChild(row);
    if (reply.fallback_text) d.appendChild(el('div', 'hint', reply.fallback_text));
  }
  log.appendChild(d); log.scrollTop = log.scrollHeight;
}
async function send(body, echo) {
  say('me', echo);
  const r = await fetch('/api/chat', {method: 'POST', headers: headers(),
    body: JSON.stringify(Object.assign({user: who.value}, body))});
  if (!r.ok) { say('bot err', '出错了 / error ' + r.status); return; }
  const data = await r.json();
  for (const reply of data.replies) show(reply);
  if (data.queued) say('bot hint', '稍后回复 / the answer will follow');
}
document.getElementById('f').addEventListener('submit', e => {
  e.preventDefault(); const t = document.getElementById('text');
  if (t.value.trim()) { send({text: t.value}, t.value); t.value = ''; }
});
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
