// The whole ledger, newest first, one page of PAGE orders at a time: it never reads more than a page and a few probes,
// however large the ledger (docs/reference.md §6).
import { api, attempt, every, h, number, playerLink, table, time } from './lib.js';

const PAGE = 100;

/** The id of the first order after `id`, or null: one indexed read of one order (after_id pages on the _id index). */
async function nextId(id) {
  const [order] = await api('GET', `/admin/orders?limit=1&after_id=${id}`);
  return order ? order.id : null;
}

/**
 * The newest PAGE orders, newest first, and the highest id. GET /admin/orders lists oldest first and has no count, so
 * this gallops with one-order reads on the _id index: after_id at doubling steps until nothing is above, then halving
 * the gap until it is under a page, then one read of two pages' ids that must hold the newest. About 18 reads for
 * 100,000 orders, one at a time (in parallel they only queue for the store's read gate).
 */
export async function newestPage() {
  let low = 0;          // 0, or an id that exists
  let high = null;      // an id with no order above it
  let step = 1024;
  while (high === null) {
    const found = await nextId(low + step);
    if (found === null) high = low + step;
    else { low = found; step *= 2; }
  }
  while (high - low > PAGE) {
    const middle = Math.floor((low + high) / 2);
    const found = await nextId(middle);
    if (found === null) high = middle;
    else low = found;
  }
  // The newest id is in [low, high], fewer than PAGE apart: ids after low − PAGE, two pages of them, reach it.
  const orders = await api('GET', `/admin/orders?limit=${2 * PAGE}&after_id=${Math.max(0, low - PAGE)}`);
  return { latest: orders.length ? orders.at(-1).id : 0, rows: orders.slice(-PAGE).reverse() };
}

/** The orders with ids in (top − PAGE, top], newest first. */
async function pageEndingAt(top) {
  const orders = await api('GET', `/admin/orders?limit=${PAGE}&after_id=${Math.max(0, top - PAGE)}`);
  return orders.filter(o => o.id <= top).reverse();
}

export const orderHeadings = [['Id', 'num'], ['Created (UTC)'], ['Kind'], ['Bill no'], ['Amount', 'num'], ['Gift part', 'num'],
  ['Status'], ['Balance after', 'num']];

/** One order as a table row; `withPlayer` adds the openid and env after the id. */
export function orderRow(o, withPlayer) {
  return h('tr', { 'data-id': o.id, class: o.status === 'cancelled' ? 'cancelled' : null },
    h('td', { class: 'num mono' }, o.id),
    withPlayer ? [h('td', null, playerLink(o.openid, o.env)), h('td', null, o.env)] : null,
    h('td', { class: 'mono' }, time(o.created_at)),
    h('td', null, h('span', { class: `kind kind-${o.kind}` }, o.kind)),
    h('td', { class: 'mono', title: o.pay_bill_no ? `refund of ${o.pay_bill_no}` : o.out_trade_no ? `out_trade_no ${o.out_trade_no}` : null },
      o.bill_no ?? o.out_trade_no ?? '', o.pay_bill_no ? h('span', { class: 'muted' }, ` ← ${o.pay_bill_no}`) : null),
    h('td', { class: 'num' }, number(o.amt)),
    h('td', { class: 'num' }, number(o.gen_amt)),
    h('td', null, o.refunded_amt ? `${o.status}, ${number(o.refunded_amt)} refunded` : o.status),
    h('td', { class: 'num' }, number(o.balance_after)));
}

export const ledgerView = {
  mount(root) {
    let latest = 0;      // the highest id known
    let top = null;      // the page's highest id; null: the live page, which new orders join
    let rows = [];
    const body = h('tbody');
    const where = h('span', { class: 'muted', 'aria-live': 'polite' });
    const older = h('button', { type: 'button', onclick: () => show(Math.max(PAGE, (top ?? latest) - PAGE)) }, '← Older');
    const newer = h('button', { type: 'button', onclick: () => show((top ?? latest) + PAGE >= latest ? null : top + PAGE) }, 'Newer →');
    const live = h('button', { type: 'button', onclick: () => show(null) }, 'Latest');
    const headings = [orderHeadings[0], ['Openid'], ['Env'], ...orderHeadings.slice(1)];
    const grid = table(null, headings, [], { class: 'grid', id: 'ledger' });
    grid.tBodies[0].replaceWith(body);

    function render() {
      body.replaceChildren(...rows.map(o => orderRow(o, true)));
      const shownTop = top ?? latest;
      where.textContent = rows.length
        ? `orders ${number(rows.at(-1).id)} … ${number(rows[0].id)} of ${number(latest)}${top === null ? ' · live' : ''}`
        : 'no orders yet';
      older.disabled = shownTop <= PAGE;
      newer.disabled = top === null;
      live.disabled = top === null;
    }

    async function show(newTop) {
      top = newTop;
      await attempt(async () => {
        rows = await pageEndingAt(top ?? latest);
        render();
      });
    }

    root.append(
      h('section', { class: 'panel' },
        h('div', { class: 'head' }, h('h2', null, 'Ledger'), where,
          h('div', { class: 'actions' }, older, newer, live)),
        h('p', { class: 'muted' }, 'Every order of both envs and both API families, newest first. Cancelled pays are struck through; their cancel, and each 2.0 refund, is an order of its own.'),
        h('div', { class: 'scroll' }, grid)));

    let started = false;
    return every(2000, async () => {
      // After a reset the ids may start again below the newest one seen: then the search starts over.
      if (started && latest > 0 && await nextId(latest - 1) !== latest) started = false;
      if (!started) {
        top = null;
        ({ latest, rows } = await newestPage());
        started = true;
        render();
        root.dataset.loaded = 'true';
        // The first view's time, on the page's own clock from navigation (the scale test reads it).
        if (!performance.getEntriesByName('first-view').length) performance.mark('first-view');
        return;
      }
      const fresh = await api('GET', `/admin/orders?limit=${PAGE}&after_id=${latest}`);
      if (!fresh.length) return;
      latest = fresh.at(-1).id;
      if (top === null) rows = [...fresh.reverse(), ...rows].slice(0, PAGE);
      render();
    });
  },
};
