// One player: the account, the balance over time and the orders, kept up to date; a top-up from the page.
import { api, attempt, every, field, h, number, query, seenOpenids, table } from './lib.js';
import { balanceChart } from './chart.js';
import { orderHeadings, orderRow } from './ledger.js';

const PAGE = 1000;          // orders per read
const MOST = 20000;         // a player with more shows the first MOST (the view says so)
const SHOWN = 100;          // rows in the table before "Show more"

function searchForm(openid, env) {
  const input = h('input', { id: 'player-openid', name: 'openid', value: openid, required: true, autocomplete: 'off', list: 'seen-openids',
    pattern: '[0-9A-Za-z_\\-]{1,128}', title: '1 to 128 characters of [0-9A-Za-z_-]', placeholder: 'e.g. odkx20ENSNa2w5y3g_qOkOvBNM1g' });
  const envSelect = h('select', { name: 'env' }, ['sandbox', 'production'].map(e => h('option', { value: e, selected: e === env }, e)));
  return h('form', { class: 'inline', role: 'search', onsubmit: event => {
    event.preventDefault();
    location.hash = `#players/${encodeURIComponent(input.value.trim())}${envSelect.value === 'sandbox' ? '' : '?env=production'}`;
  } },
  field('Openid', input), field('Env', envSelect), h('button', { type: 'submit' }, 'Show'),
  h('datalist', { id: 'seen-openids' }, [...seenOpenids].slice(0, 200).map(o => h('option', { value: o }))));
}

function accountCard(a) {
  const facts = [['Balance', a.balance], ['Gift part (gen_balance)', a.gen_balance], ['Paid part', a.balance - a.gen_balance],
    ['save_amt', a.save_amt], ['save_sum', a.save_sum], ['cost_sum', a.cost_sum], ['present_sum', a.present_sum]];
  return h('dl', { class: 'facts', id: 'account' },
    facts.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', { class: 'num' }, number(v)))),
    h('div', null, h('dt', null, 'first_save'), h('dd', null, a.first_save ? 'yes' : 'no')));
}

export const playersView = {
  mount(root, openid, params) {
    const env = params.env === 'production' ? 'production' : 'sandbox';
    root.append(h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', null, 'Players')), searchForm(openid, env),
      openid ? null : h('p', { class: 'muted' }, 'Search by openid: the player\'s balance, its history and its orders. Openids in the Ledger and Calls views link here.')));
    document.getElementById('player-openid').focus();
    if (!openid) {
      root.dataset.loaded = 'true';
      return undefined;
    }

    const account = h('div');
    const chart = h('div', { class: 'chart-box' });
    const body = h('tbody');
    const note = h('p', { class: 'muted', 'aria-live': 'polite' });
    const more = h('button', { type: 'button', hidden: true, onclick: () => { shown += SHOWN; render(); } }, 'Show more');
    const amount = h('input', { id: 'topup-amount', type: 'number', min: 1, max: 2147483647, step: 1, value: 100, required: true });
    const grid = table(null, orderHeadings, [], { class: 'grid', id: 'player-orders' });
    grid.tBodies[0].replaceWith(body);
    let orders = [];
    let shown = SHOWN;

    function render() {
      body.replaceChildren(...orders.slice(-shown).reverse().map(o => orderRow(o, false)));
      more.hidden = orders.length <= shown;
      note.textContent = `${number(orders.length)} order${orders.length === 1 ? '' : 's'}, newest first`
        + (orders.length >= MOST ? ` (the first ${number(MOST)} only)` : '');
      chart.replaceChildren(balanceChart(orders.map(o => ({ t: new Date(o.created_at), v: o.balance_after })),
        { label: `Balance of ${openid} over time` }));
    }

    // Orders after the last one held, PAGE at a time: the first call reads them all (up to MOST), later ones only new ones.
    async function readNewOrders() {
      let added = false;
      while (orders.length < MOST) {
        const after = orders.length ? orders.at(-1).id : 0;
        const page = await api('GET', `/admin/orders${query({ openid, env, limit: PAGE, after_id: after })}`);
        orders.push(...page.filter(o => !orders.length || o.id > orders.at(-1).id));
        added ||= page.length > 0;
        if (page.length < PAGE) break;
      }
      return added;
    }

    const topup = h('form', { class: 'inline', onsubmit: async event => {
      event.preventDefault();
      const reply = await attempt(() => api('POST', `/admin/accounts/${encodeURIComponent(openid)}/topup`, { amount: Number(amount.value), env }));
      if (reply) { account.replaceChildren(accountCard(reply)); if (await attempt(readNewOrders)) render(); }
    } }, field('Top up coins', amount), h('button', { type: 'submit' }, 'Top up'));

    root.append(
      h('div', { class: 'columns' },
        h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', { class: 'mono' }, openid), h('span', { class: 'muted' }, env)),
          account, topup),
        h('section', { class: 'panel' }, h('h2', null, 'Balance over time'), chart)),
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', null, 'Orders'), note), h('div', { class: 'scroll' }, grid), more));

    return every(2000, async () => {
      const [a, added] = await Promise.all([api('GET', `/admin/accounts/${encodeURIComponent(openid)}${query({ env })}`), readNewOrders()]);
      account.replaceChildren(accountCard(a));
      if (added || !root.dataset.loaded) render();
      root.dataset.loaded = 'true';
    });
  },
};
