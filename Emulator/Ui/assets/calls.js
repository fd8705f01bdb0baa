// The request journal, live: filters, and one call opened to its request, its reply, the fault that fired and, for a
// refused signature, the string the emulator signed beside what the client sent.
import { api, every, field, h, playerLink, query, table, time } from './lib.js';
import { what } from './faults.js';

const ENDPOINTS = ['getbalance', 'pay', 'cancelpay', 'present', 'token', 'jscode2session',
  'game/getbalance', 'game/pay', 'game/cancelpay', 'game/present', 'game/queryorderinfo', 'checksession'];
const SIGNATURE_ERRCODES = { 90011: 'sig', 90009: 'mp_sig' };

function outcome(c) {
  if (c.dropped) return h('span', { class: 'bad' }, 'dropped');
  if (c.errcode === null) return h('span', { class: 'bad' }, `HTTP ${c.http_status}`);
  return h('span', { class: c.errcode === 0 ? 'good' : 'bad' }, `${c.errcode}`);
}

function pretty(body) {
  if (!body) return '(no body)';
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

function describeRule(r) {
  return `${r.id}: ${what(r)} on ${r.endpoint}${r.after_commit ? ', after the commit' : ''}`
    + `${r.probability < 1 ? `, probability ${r.probability}${r.seed === null ? '' : ` seed ${r.seed}`}` : ''}`
    + `${r.times === null ? '' : `, ${r.times} time(s)`} · ${r.hits} hit(s)${r.active ? '' : ' · retired'}`;
}

/** The signature part: the emulator's string_to_sign, line by line, beside the client's fields, sig and mp_sig. */
function signaturePanel(c) {
  let sent = {};
  try { sent = JSON.parse(c.body ?? '{}'); } catch { /* a body that is not JSON: shown whole above */ }
  const mine = c.string_to_sign.split('&');
  const theirs = Object.entries(sent).filter(([k]) => k !== 'sig' && k !== 'mp_sig').map(([k, v]) => `${k}=${v}`).sort();
  const signedField = SIGNATURE_ERRCODES[c.errcode] ?? 'sig';
  return h('section', { class: 'signature', id: 'signature' },
    h('h3', null, `Why ${c.errcode}: the ${signedField} does not match`),
    h('p', { class: 'muted' }, 'The emulator signed the string on the left with HMAC-SHA256 (the key shown as ***). Sort the fields you sent the same way, append org_loc, method and the key, and compare: a field missing, added or written differently is the cause.'),
    h('div', { class: 'columns' },
      h('div', null, h('h4', null, 'string_to_sign (the emulator built)'), h('pre', { class: 'mono', id: 'string-to-sign' }, c.string_to_sign),
        h('ol', { class: 'mono lines' }, mine.map(part => h('li', { class: part.includes('=') && !theirs.includes(part) && !/^(org_loc|method|secret|session_key|access_token|sig)=/.test(part) ? 'diff' : null }, part)))),
      h('div', null, h('h4', null, 'What the client sent'), h('pre', { class: 'mono' }, `sig=${sent.sig ?? '(none)'}\nmp_sig=${sent.mp_sig ?? '(none)'}`),
        h('ol', { class: 'mono lines' }, theirs.map(part => h('li', { class: mine.includes(part) ? null : 'diff' }, part))))));
}

/** The 2.0 signature part: pay_sig and signature cover the exact body bytes, so the panel shows what was signed, whole. */
function gamePayPanel(c) {
  const query = new URLSearchParams(c.query ?? '');
  const name = c.errcode === 90011 ? 'pay_sig' : 'signature';
  const key = c.errcode === 90011 ? `the AppKey of env ${c.env === 'production' ? 0 : 1}` : "the player's current session_key";
  return h('section', { class: 'signature', id: 'signature' },
    h('h3', null, `Why ${c.errcode}: the ${name} does not match`),
    h('p', { class: 'muted' }, `The emulator computed lowercase hex HMAC-SHA256, keyed with ${key} (shown as ***), over exactly this: `
      + 'sign the bytes you sent, not a second serialisation of the same object.'),
    h('pre', { class: 'mono', id: 'string-to-sign' }, c.string_to_sign),
    h('pre', { class: 'mono' }, `${name}=${query.get(name) ?? '(none)'}`));
}

function detail(c, rules) {
  const rule = rules.find(r => r.id === c.fault_id);
  return h('article', { class: 'panel detail', id: 'call-detail', tabindex: -1, 'aria-label': `Call ${c.id}` },
    h('div', { class: 'head' }, h('h2', null, `Call ${c.id}: ${c.endpoint}`), h('span', { class: 'muted' }, time(c.time))),
    h('div', { class: 'columns' },
      h('section', null, h('h3', null, 'Request'),
        h('pre', { class: 'mono' }, `${c.method} ${c.path}${c.query ? `?${c.query.replace(/^\?/, '')}` : ''}`),
        h('pre', { class: 'mono body' }, pretty(c.body))),
      h('section', null, h('h3', null, 'Reply'),
        h('dl', { class: 'facts' },
          [['errcode', c.errcode ?? '—'], ['HTTP status', c.http_status ?? '—'], ['dropped', c.dropped ? 'yes' : 'no'],
            ['duration', `${c.duration_ms} ms`], ['env', c.env ?? '—']].map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, String(v))))),
        c.errmsg ? h('pre', { class: 'mono', id: 'call-errmsg' }, c.errmsg) : null,
        h('h3', null, 'Fault'),
        h('p', { id: 'call-fault' }, c.fault_id ? (rule ? describeRule(rule) : `${c.fault_id} (deleted since)`) : 'none fired'))),
    c.string_to_sign ? (c.endpoint.startsWith('game/') ? gamePayPanel(c) : signaturePanel(c)) : null);
}

export const callsView = {
  mount(root) {
    const filters = { endpoint: '', openid: '', bill_no: '', errcode: '' };
    let calls = [];
    let rules = [];
    let openId = null;
    let shownKey = '';
    const body = h('tbody');
    const side = h('div', { class: 'side' });
    const paused = h('input', { type: 'checkbox', id: 'calls-paused' });
    const grid = table(null, [['Id', 'num'], ['Time (UTC)'], ['Endpoint'], ['Openid'], ['Bill no'], ['Result'], ['Fault'], ['ms', 'num']], [],
      { class: 'grid', id: 'calls' });
    grid.tBodies[0].replaceWith(body);

    function open(id) {
      openId = id;
      const call = calls.find(c => c.id === id);
      side.replaceChildren(call ? detail(call, rules) : h('p', { class: 'muted' }, 'Open a call to see its request and reply.'));
      for (const row of body.rows) row.classList.toggle('selected', Number(row.dataset.id) === id);
    }

    function render() {
      const key = `${calls.length}:${calls[0]?.id}:${rules.map(r => r.hits).join()}`;
      if (key === shownKey) return;
      shownKey = key;
      body.replaceChildren(...calls.map(c => h('tr', { 'data-id': c.id, class: c.id === openId ? 'selected' : null },
        h('td', { class: 'num' }, h('button', { type: 'button', class: 'link mono', onclick: () => { open(c.id); side.firstChild.focus(); } }, c.id)),
        h('td', { class: 'mono' }, time(c.time)), h('td', null, c.endpoint), h('td', null, c.openid ? playerLink(c.openid, c.env) : ''),
        h('td', { class: 'mono' }, c.bill_no ?? ''), h('td', null, outcome(c)), h('td', null, c.fault_id ?? ''),
        h('td', { class: 'num' }, c.duration_ms.toFixed(1)))));
      if (!calls.length) body.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No call matches yet.')));
    }

    async function refresh() {
      if (paused.checked) return;
      [calls, rules] = await Promise.all([api('GET', `/admin/requests${query({ ...filters, limit: 100 })}`), api('GET', '/admin/faults')]);
      render();
      root.dataset.loaded = 'true';
    }

    const inputs = {
      endpoint: h('select', { name: 'endpoint' }, h('option', { value: '' }, 'any'), ENDPOINTS.map(e => h('option', { value: e }, e))),
      openid: h('input', { name: 'openid', autocomplete: 'off' }),
      bill_no: h('input', { name: 'bill_no', autocomplete: 'off' }),
      errcode: h('input', { name: 'errcode', inputmode: 'numeric', pattern: '-?[0-9]+', title: 'an integer, such as -1 or 90011', size: 8 }),
    };
    const form = h('form', { class: 'inline', onsubmit: event => {
      event.preventDefault();
      for (const [k, input] of Object.entries(inputs)) filters[k] = input.value.trim();
      shownKey = '';
      refresh();
    } },
    field('Endpoint', inputs.endpoint), field('Openid', inputs.openid), field('Bill no', inputs.bill_no), field('Errcode', inputs.errcode),
    h('button', { type: 'submit' }, 'Filter'), h('label', { class: 'check' }, paused, ' Pause'));
    inputs.endpoint.addEventListener('change', () => form.requestSubmit());

    root.append(h('div', null,
      h('section', { class: 'panel', id: 'calls-list' },
        h('div', { class: 'head' }, h('h2', null, 'Calls'), h('span', { class: 'muted' }, 'the last 100 WeChat-surface calls, newest first, live')),
        form, h('div', { class: 'scroll' }, grid)),
      side));
    open(null);
    return every(1500, refresh);
  },
};
