// Health of the books: the money check's verdict, the emulator's clock, and reset behind a confirmation.
import { api, attempt, field, h, number, table, time } from './lib.js';

function verdict(report) {
  const head = report.ok
    ? h('p', { class: 'verdict good', id: 'verdict' }, `✓ The books balance: ${number(report.accounts)} accounts, ${number(report.orders)} orders.`)
    : h('p', { class: 'verdict bad', id: 'verdict' }, `✗ ${number(report.violation_count)} violation${report.violation_count === 1 ? '' : 's'} over ${number(report.accounts)} accounts and ${number(report.orders)} orders.`);
  if (report.ok) return [head];
  return [head, table(report.violation_count > report.violations.length ? `the first ${report.violations.length}` : null,
    [['Check'], ['Detail'], ['Account'], ['Bill no'], ['Order', 'num']],
    report.violations.map(v => h('tr', null, h('td', { class: 'mono' }, v.check), h('td', null, v.detail), h('td', { class: 'mono' }, v.account ?? ''),
      h('td', { class: 'mono' }, v.bill_no ?? ''), h('td', { class: 'num' }, v.order_id ?? ''))), { class: 'grid', id: 'violations' })];
}

function clockText(clock) {
  return clock.real ? `${time(clock.now)} UTC, the real time` : `${time(clock.now)} UTC, moved ${clock.offset_s > 0 ? '+' : ''}${number(clock.offset_s)} s from the real time`;
}

export const booksView = {
  mount(root) {
    const books = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Checking…'));
    const clockNow = h('p', { id: 'clock-now', class: 'mono', 'aria-live': 'polite' });
    const seconds = h('input', { id: 'advance-seconds', type: 'number', min: 0, step: 1, value: 7201, required: true });
    const reseed = h('input', { type: 'checkbox', checked: true, id: 'reseed' });
    const confirm = h('dialog', { id: 'confirm-reset', 'aria-labelledby': 'confirm-title' });

    async function check() {
      books.replaceChildren(h('p', { class: 'muted' }, 'Checking…'));
      const report = await attempt(() => api('GET', '/admin/invariants'));
      books.replaceChildren(...(report ? verdict(report) : [h('p', { class: 'bad' }, 'No verdict: the check failed (see above).')]));
    }

    async function moveClock(body) {
      const clock = await attempt(() => api('POST', '/admin/clock', body));
      if (clock) {
        clockNow.textContent = clockText(clock);
        document.dispatchEvent(new Event('clock'));
      }
    }

    confirm.append(h('form', { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, 'Reset the emulator?'),
      h('p', null, 'This wipes every account, order, access token, session, login code, fault rule and the request journal. Registered apps and the clock stay.'),
      h('div', { class: 'actions' },
        h('button', { value: 'cancel', autofocus: true }, 'Cancel'),
        h('button', { value: 'reset', class: 'danger', id: 'confirm-reset-yes' }, 'Wipe and reset'))));
    confirm.addEventListener('close', async () => {
      if (confirm.returnValue !== 'reset') return;
      const reply = await attempt(() => api('POST', '/admin/reset', { reseed: reseed.checked }));
      if (reply) {
        document.getElementById('reset-result').textContent = `Reset: ${number(reply.seeded_users)} players seeded. Get a new access token.`;
        await check();
      }
    });

    root.append(
      h('section', { class: 'panel' }, h('div', { class: 'head' }, h('h2', null, 'The books'),
        h('button', { type: 'button', onclick: check }, 'Check again')),
      h('p', { class: 'muted' }, 'GET /admin/invariants replays the whole ledger: every balance equals its orders, none went negative, no bill_no charged twice, every cancel reverses one pay, no pay refunded beyond what it took.'),
      books),
      h('section', { class: 'panel' }, h('h2', null, 'Clock'), clockNow,
        h('form', { class: 'inline', id: 'advance-form', onsubmit: event => { event.preventDefault(); moveClock({ advance_s: Number(seconds.value) }); } },
          field('Advance by (seconds)', seconds, '7201: past an access token\'s 7200 s'), h('button', { type: 'submit' }, 'Advance'),
          h('button', { type: 'button', class: 'quiet', id: 'clock-real', onclick: () => moveClock({ real: true }) }, 'Back to real time'))),
      h('section', { class: 'panel' }, h('h2', null, 'Reset'),
        h('form', { class: 'inline', onsubmit: event => { event.preventDefault(); confirm.showModal(); } },
          h('label', { class: 'check' }, reseed, ' Load the seed file again'), h('button', { type: 'submit', class: 'danger' }, 'Reset…')),
        h('p', { id: 'reset-result', 'aria-live': 'polite' })),
      confirm);

    attempt(async () => { clockNow.textContent = clockText(await api('GET', '/admin/clock')); });
    check().then(() => { root.dataset.loaded = 'true'; });
    return () => confirm.close();
  },
};
