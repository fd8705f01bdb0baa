// Fault rules, for calls and for pushes: the active and retired ones with their counters; a new one from a template or by hand; delete.
// "Switch off" is the delete: the admin API has no pause, and posting a rule again would make a new rule with a new id
// and fresh counters (docs/reference.md §6). "Again" fills the form from a rule, to post it anew.
import { api, attempt, every, field, h, number, table } from './lib.js';

const TEMPLATES = [
  { name: '-1 after commit on the next pay', rule: { endpoint: 'pay', action: 'errcode', errcode: -1, after_commit: true, times: 1 } },
  { name: 'Drop 30 % of getbalance, seed 42', rule: { endpoint: 'getbalance', action: 'drop', probability: 0.3, seed: 42 } },
  { name: '-1 after commit on the next 2.0 pay', rule: { endpoint: 'game/pay', action: 'errcode', errcode: -1, after_commit: true, times: 1 } },
  { name: 'Slow commit 5 s (the next pay)', rule: { endpoint: 'pay', action: 'delay', delay_ms: 5000, times: 1 } },
  { name: 'Duplicate the next push', rule: { endpoint: 'push', action: 'duplicate', times: 1 } },
  { name: 'Reorder the next push', rule: { endpoint: 'push', action: 'reorder', times: 1 } },
  { name: 'Fail the next 2 push attempts', rule: { endpoint: 'push', action: 'fail_attempt', times: 2 } },
  { name: 'Delay the next push 5 s', rule: { endpoint: 'push', action: 'delay', delay_ms: 5000, times: 1 } },
  { name: 'Free-form', rule: {} },
];

const PUSH_EVENTS = ['minigame_coin_deliver_completed', 'minigame_game_pay_goods_deliver_notify', 'minigame_h5_goods_deliver_notify',
  'minigame_pay_refund_succ_notify', 'minigame_recharge_center_coin_deliver_completed'];
// A push rule (endpoint push or push:<event>) takes none of these: the admin API refuses them.
const CALL_ONLY = ['errcode', 'errmsg', 'http_status', 'after_commit', 'bill_no'];
const isPushRule = r => r.endpoint === 'push' || String(r.endpoint ?? '').startsWith('push:');

// The form's fields, in the order of docs/reference.md §1.3: [name, label, kind, choices or hint].
const FIELDS = [
  ['endpoint', 'Endpoint', 'select', ['*', 'getbalance', 'pay', 'cancelpay', 'present', 'token', 'jscode2session',
    'game/getbalance', 'game/pay', 'game/cancelpay', 'game/present', 'game/queryorderinfo', 'checksession', 'push',
    ...PUSH_EVENTS.map(e => `push:${e}`)]],
  ['action', 'Action', 'select', ['errcode', 'http_status', 'drop', 'delay', 'duplicate', 'reorder', 'fail_attempt']],
  ['errcode', 'Errcode', 'int', 'default -1'],
  ['errmsg', 'Errmsg', 'text', 'default "system busy" for -1'],
  ['http_status', 'HTTP status', 'int', '400 … 599, default 502'],
  ['delay_ms', 'Delay (ms)', 'int', 'needed for delay'],
  ['after_commit', 'After the commit', 'bool', 'the operation commits first'],
  ['probability', 'Probability', 'float', '0 … 1, default 1'],
  ['seed', 'Seed', 'int', 'the same draws every run'],
  ['times', 'Times', 'int', 'empty: until deleted'],
  ['skip_first', 'Skip first', 'int', 'default 0'],
  ['openid', 'Openid', 'text', 'only this player'],
  ['bill_no', 'Bill no', 'text', 'only this bill_no'],
];

function control([name, , kind, choices]) {
  if (kind === 'select') return h('select', { name }, choices.map(c => h('option', { value: c }, c)));
  if (kind === 'bool') return h('input', { name, type: 'checkbox' });
  return h('input', { name, autocomplete: 'off', inputmode: kind === 'text' ? null : 'decimal', size: kind === 'text' ? 24 : 8 });
}

/** The rule the form holds: only the fields given, numbers as numbers (the admin API takes numbers only as numbers). */
function ruleOf(form) {
  const rule = {};
  for (const [name, , kind] of FIELDS) {
    const input = form.elements[name];
    if (kind === 'bool') { if (input.checked) rule[name] = true; continue; }
    const value = input.value.trim();
    if (value === '') continue;
    rule[name] = kind === 'int' || kind === 'float' ? Number(value) : value;
  }
  return rule;
}

function fill(form, rule) {
  for (const [name, , kind, choices] of FIELDS) {
    const input = form.elements[name];
    const value = rule[name];
    if (kind === 'bool') input.checked = value === true;
    else if (kind === 'select') input.value = value ?? choices[0];
    else input.value = value === null || value === undefined ? '' : String(value);
  }
}

/** What a rule does, in a few words: errcode -1 "system busy", HTTP 502, drop, wait 5,000 ms. */
export function what(r) {
  return { errcode: `errcode ${r.errcode} "${r.errmsg}"`, http_status: `HTTP ${r.http_status}`, drop: 'drop', delay: `wait ${number(r.delay_ms)} ms`,
    duplicate: 'send twice', reorder: 'hold back until the next push', fail_attempt: 'fail the attempt' }[r.action]
    + (r.delay_ms && r.action !== 'delay' ? ` after ${number(r.delay_ms)} ms` : '');
}

function scope(r) {
  return [r.probability < 1 ? `p ${r.probability}${r.seed === null ? '' : `, seed ${r.seed}`}` : null, r.skip_first ? `skip ${r.skip_first}` : null,
    r.openid ? `openid ${r.openid}` : null, r.bill_no ? `bill_no ${r.bill_no}` : null].filter(Boolean).join(' · ') || (isPushRule(r) ? 'every push' : 'every call');
}

export const faultsView = {
  mount(root) {
    const body = h('tbody');
    const preview = h('pre', { class: 'mono preview', id: 'fault-preview', 'aria-live': 'polite' });
    const form = h('form', { id: 'fault-form', class: 'rule-form', onsubmit: async event => {
      event.preventDefault();
      const created = await attempt(() => api('POST', '/admin/faults', ruleOf(form)));
      if (created) { await refresh(); body.querySelector(`tr[data-id="${created.id}"] button`)?.focus(); }
    }, oninput: () => { preview.textContent = JSON.stringify(ruleOf(form)); } },
    h('div', { class: 'fields' }, FIELDS.map(f => field(f[1], control(f), f[2] === 'select' ? null : f[3]))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add rule'), h('span', { class: 'muted' }, 'POST /admin/faults'), preview));
    const templates = h('div', { class: 'templates', role: 'group', 'aria-label': 'Templates' },
      TEMPLATES.map(t => h('button', { type: 'button', class: 'quiet', onclick: () => edit(t.rule) }, t.name)));
    const grid = table(null, [['Id'], ['Endpoint'], ['Does'], ['After commit'], ['Scope'], ['Times', 'num'], ['Hits', 'num'], ['Matched', 'num'],
      ['State'], ['']], [], { class: 'grid', id: 'faults' });
    grid.tBodies[0].replaceWith(body);
    let shownKey = '';

    function edit(rule) {
      // "Again" on a push rule: the reply carries the call-only fields' defaults, which a push rule must not send back.
      fill(form, isPushRule(rule) ? Object.fromEntries(Object.entries(rule).filter(([k]) => !CALL_ONLY.includes(k))) : rule);
      form.dispatchEvent(new Event('input'));
      form.elements.endpoint.focus();
    }

    async function remove(id) {
      if (await attempt(() => api('DELETE', `/admin/faults/${encodeURIComponent(id)}`)) !== undefined) await refresh();
    }

    async function refresh() {
      const rules = await api('GET', '/admin/faults');
      const key = JSON.stringify(rules);
      root.dataset.loaded = 'true';
      if (key === shownKey) return;
      shownKey = key;
      // Active rules first, each group oldest first: the order in which they are tried.
      const ordered = [...rules.filter(r => r.active), ...rules.filter(r => !r.active)];
      body.replaceChildren(...ordered.map(r => h('tr', { 'data-id': r.id, class: r.active ? null : 'retired' },
        h('td', { class: 'mono' }, r.id), h('td', null, r.endpoint), h('td', null, what(r)), h('td', null, isPushRule(r) ? '—' : r.after_commit ? 'yes' : 'no'),
        h('td', null, scope(r)), h('td', { class: 'num' }, r.times ?? '∞'), h('td', { class: 'num' }, number(r.hits)),
        h('td', { class: 'num' }, number(r.matched)), h('td', null, h('span', { class: r.active ? 'good' : 'muted' }, r.active ? 'active' : 'retired')),
        h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'quiet', 'aria-label': `Post ${r.id} again`, onclick: () => edit(r) }, 'Again'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${r.id}`, onclick: () => remove(r.id) }, 'Delete')))));
      if (!rules.length) body.append(h('tr', null, h('td', { colspan: 10, class: 'muted' }, 'No rules: every call is served normally.')));
    }

    root.append(
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', null, 'Fault rules'),
        h('span', { class: 'muted' }, 'tried oldest first, at most one fires per call; Delete switches a rule off for good')),
      h('div', { class: 'scroll' }, grid)),
      h('section', { class: 'panel' }, h('h2', null, 'New rule'), templates, form));
    fill(form, {});
    preview.textContent = '{}';
    return every(2000, refresh);
  },
};
