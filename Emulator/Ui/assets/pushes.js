// The pushes the emulator sends to the game server, live: filters, one push opened to its payload and its attempts,
// Retry and Cancel; and where each app's two channels send (GET /admin/apps/{appid}/push). Payloads and replies are
// whatever a client or the receiver wrote: they go in as text nodes (h), never as markup.
import { api, attempt, every, field, h, playerLink, query, table, time } from './lib.js';

const EVENTS = ['minigame_coin_deliver_completed', 'minigame_game_pay_goods_deliver_notify', 'minigame_h5_goods_deliver_notify',
  'minigame_pay_refund_succ_notify', 'minigame_recharge_center_coin_deliver_completed'];
const STATUSES = ['pending', 'delivered', 'failed', 'cancelled', 'no_receiver'];

/** The status as a tag: delivered green, failed red, pending amber, cancelled and no_receiver grey. */
export function pushStatus(status) {
  return h('span', { class: `push-status push-${STATUSES.includes(status) ? status : 'unknown'}` }, status);
}

function pretty(payload) {
  if (!payload) return '(no payload)';
  try { return JSON.stringify(JSON.parse(payload), null, 2); } catch { return payload; }
}

function attemptRows(p) {
  if (!p.attempts.length) return h('p', { class: 'muted' }, 'No attempt yet.');
  const grid = table(null, [['#', 'num'], ['At (UTC)'], ['HTTP', 'num'], ['Error'], ['ms', 'num'], ['Fault'], ['Reply']],
    p.attempts.map((a, i) => h('tr', null,
      h('td', { class: 'num' }, i + 1), h('td', { class: 'mono' }, time(a.at)), h('td', { class: 'num' }, a.http_status ?? '—'),
      h('td', null, a.error ? h('span', { class: 'bad' }, a.error) : h('span', { class: 'good' }, 'ok')),
      h('td', { class: 'num' }, a.duration_ms.toFixed(1)), h('td', { class: 'mono' }, a.fault_id ?? ''),
      h('td', { class: 'mono reply' }, a.reply ?? ''))),
    { class: 'grid', id: 'push-attempts' });
  return h('div', { class: 'scroll' }, grid);
}

function detail(p, act) {
  const settled = p.status === 'delivered' || p.status === 'failed';
  return h('article', { class: 'panel detail', id: 'push-detail', tabindex: -1, 'aria-label': `Push ${p.id}` },
    h('div', { class: 'head' }, h('h2', null, `Push ${p.id}: ${p.event}`), pushStatus(p.status),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'push-retry', disabled: p.status === 'delivered', onclick: () => act(p.id, 'retry') }, 'Retry'),
        h('button', { type: 'button', id: 'push-cancel', class: 'danger', disabled: settled || p.status === 'cancelled', onclick: () => act(p.id, 'cancel') }, 'Cancel'))),
    h('dl', { class: 'facts' },
      [['appid', p.appid], ['channel', p.channel], ['openid', p.openid], ['env', p.env], ['out_trade_no', p.out_trade_no ?? '—'],
        ['mock', p.is_mock ? 'yes' : 'no'], ['created', time(p.created_at)], ['next attempt', p.next_attempt_at ? time(p.next_attempt_at) : '—']]
        .map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, String(v))))),
    h('div', { class: 'columns' },
      h('section', null, h('h3', null, 'Payload'), h('pre', { class: 'mono body', id: 'push-payload' }, pretty(p.payload))),
      h('section', null, h('h3', null, `Attempts (${p.attempts.length})`), attemptRows(p))));
}

function channel(name, c) {
  return h('div', null, h('dt', null, name),
    h('dd', { class: 'mono' }, c ? `${c.url} · ${c.mode}` : h('span', { class: 'muted' }, 'not configured')));
}

export const pushesView = {
  mount(root, _path, params) {
    const filters = { openid: params?.openid ?? '', event: params?.event ?? '', status: params?.status ?? '' };
    let pushes = [];
    let openId = null;
    let shownKey = '';
    let shownDetail = '';
    let configKey = '';
    const body = h('tbody');
    const side = h('div', { class: 'side' });
    const config = h('dl', { class: 'facts', id: 'push-config' });
    const paused = h('input', { type: 'checkbox', id: 'pushes-paused' });
    const grid = table(null, [['Id', 'num'], ['Time (UTC)'], ['Event'], ['Openid'], ['Out trade no'], ['Status'], ['Attempts', 'num'],
      ['Next attempt (UTC)']], [], { class: 'grid', id: 'pushes' });
    grid.tBodies[0].replaceWith(body);

    function showDetail() {
      const push = pushes.find(p => p.id === openId);
      const key = push ? JSON.stringify(push) : `none:${openId}`;
      if (key === shownDetail) return;
      shownDetail = key;
      side.replaceChildren(push ? detail(push, act)
        : h('p', { class: 'muted' }, openId === null ? 'Open a push to see its payload and attempts.' : `Push ${openId} is not in the list (filters?).`));
    }

    function open(id) {
      openId = id;
      showDetail();
      for (const row of body.rows) row.classList.toggle('selected', Number(row.dataset.id) === id);
    }

    // Retry or Cancel; a refusal (409 for a settled push) shows its problem detail.
    async function act(id, what) {
      const changed = await attempt(() => api('POST', `/admin/pushes/${encodeURIComponent(id)}/${what}`));
      if (changed) {
        const i = pushes.findIndex(p => p.id === changed.id);
        if (i >= 0) pushes[i] = changed;
        shownKey = '';
        render();
        showDetail();
        await attempt(refresh);
      }
    }

    function render() {
      const key = JSON.stringify(pushes.map(p => [p.id, p.status, p.attempts.length, p.next_attempt_at]));
      if (key === shownKey) return;
      shownKey = key;
      body.replaceChildren(...pushes.map(p => h('tr', { 'data-id': p.id, class: p.id === openId ? 'selected' : null },
        h('td', { class: 'num' }, h('button', { type: 'button', class: 'link mono', onclick: () => { open(p.id); side.firstChild.focus(); } }, p.id)),
        h('td', { class: 'mono' }, time(p.created_at)), h('td', null, p.event), h('td', null, playerLink(p.openid, p.env)),
        h('td', { class: 'mono' }, p.out_trade_no ?? ''), h('td', null, pushStatus(p.status)), h('td', { class: 'num' }, p.attempts.length),
        h('td', { class: 'mono' }, p.next_attempt_at ? time(p.next_attempt_at) : ''))));
      if (!pushes.length) body.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No push matches yet.')));
    }

    async function refresh() {
      if (paused.checked) return;
      pushes = await api('GET', `/admin/pushes${query({ ...filters, limit: 100 })}`);
      render();
      showDetail();
      root.dataset.loaded = 'true';
    }

    // Where the pushes go: both channels of every registered app (the token and AES key are not shown).
    async function refreshConfig() {
      const apps = await api('GET', '/admin/apps');
      const receivers = await Promise.all(apps.map(a => api('GET', `/admin/apps/${encodeURIComponent(a.appid)}/push`)));
      const key = JSON.stringify(receivers.map((r, i) => [apps[i].appid, r.events?.url, r.events?.mode, r.goods?.url, r.goods?.mode]));
      if (key === configKey) return;
      configKey = key;
      config.replaceChildren(...apps.flatMap((a, i) => [
        channel(`${a.appid} · events`, receivers[i].events), channel(`${a.appid} · goods`, receivers[i].goods)]));
      if (!apps.length) config.append(h('p', { class: 'muted' }, 'No app is registered.'));
    }

    const inputs = {
      openid: h('input', { name: 'openid', autocomplete: 'off', value: filters.openid }),
      event: h('select', { name: 'event' }, h('option', { value: '' }, 'any'), EVENTS.map(e => h('option', { value: e }, e))),
      status: h('select', { name: 'status' }, h('option', { value: '' }, 'any'), STATUSES.map(s => h('option', { value: s }, s))),
    };
    inputs.event.value = filters.event;
    inputs.status.value = filters.status;
    const form = h('form', { class: 'inline', onsubmit: event => {
      event.preventDefault();
      for (const [k, input] of Object.entries(inputs)) filters[k] = input.value.trim();
      shownKey = '';
      attempt(refresh);
    } },
    field('Openid', inputs.openid), field('Event', inputs.event), field('Status', inputs.status),
    h('button', { type: 'submit' }, 'Filter'), h('label', { class: 'check' }, paused, ' Pause'));
    inputs.event.addEventListener('change', () => form.requestSubmit());
    inputs.status.addEventListener('change', () => form.requestSubmit());

    root.append(h('div', null,
      h('section', { class: 'panel', id: 'pushes-list' },
        h('div', { class: 'head' }, h('h2', null, 'Pushes'), h('span', { class: 'muted' }, 'the last 100 pushes to the game server, newest first, live')),
        form, h('div', { class: 'scroll' }, grid)),
      side,
      h('section', { class: 'panel', id: 'push-receivers' },
        h('div', { class: 'head' }, h('h2', null, 'Push configuration'),
          h('span', { class: 'muted' }, 'PUT /admin/apps/{appid}/push/{events|goods} sets a channel')),
        config)));
    open(null);
    const stopList = every(1500, refresh);
    const stopConfig = every(5000, refreshConfig);
    return () => { stopList(); stopConfig(); };
  },
};
