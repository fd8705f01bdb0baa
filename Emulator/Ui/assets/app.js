// The dashboard's shell: the views behind the #hash, the login box, the status line. Every datum comes from /admin.
import { api, attempt, every, onUnauthorized, time, token } from './lib.js';
import { ledgerView } from './ledger.js';
import { playersView } from './players.js';
import { callsView } from './calls.js';
import { faultsView } from './faults.js';
import { booksView } from './books.js';
import { pushesView } from './pushes.js';

const views = { ledger: ledgerView, players: playersView, calls: callsView, faults: faultsView, pushes: pushesView, books: booksView };
const main = document.getElementById('view');
const login = document.getElementById('login');
const signOut = document.getElementById('sign-out');
let unmount = () => {};

// #players/openid?env=production → the players view with 'openid' and { env: 'production' }.
function route() {
  const [path, search] = location.hash.slice(1).split('?');
  const [name, ...rest] = path.split('/');
  const key = Object.hasOwn(views, name) ? name : 'ledger';
  unmount();
  main.replaceChildren();
  main.dataset.view = key;
  delete main.dataset.loaded;
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#${key}`);
    if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
  }
  document.title = `${key[0].toUpperCase()}${key.slice(1)} · MidasEmulator`;
  unmount = views[key].mount(main, decodeURIComponent(rest.join('/')), Object.fromEntries(new URLSearchParams(search))) ?? (() => {});
}

onUnauthorized(() => {
  if (login.open) return;
  document.getElementById('login-why').classList.toggle('refused', Boolean(token.get()));
  if (token.get()) document.getElementById('login-why').textContent = 'The emulator refused that token. Enter the value of Midas:AdminToken.';
  login.showModal();
  document.getElementById('login-token').focus();
});

document.getElementById('login-form').addEventListener('submit', event => {
  event.preventDefault();
  token.set(document.getElementById('login-token').value);
  document.getElementById('login-token').value = '';
  login.close();
  signOut.hidden = false;
  route();
});
// Escape must not leave a page that can do nothing: the box stays until a token is given.
login.addEventListener('cancel', event => event.preventDefault());

signOut.hidden = !token.get();
signOut.addEventListener('click', () => {
  token.clear();
  location.reload();
});

// The status line: the emulator's version and clock, so a moved clock is never forgotten.
const status = document.getElementById('status');
async function refreshStatus() {
  const [health, clock] = await Promise.all([api('GET', '/admin/health'), api('GET', '/admin/clock')]);
  status.textContent = `v${health.version} · clock ${time(clock.now)} UTC${clock.real ? '' : ` (moved ${clock.offset_s > 0 ? '+' : ''}${clock.offset_s} s)`}`;
  status.classList.toggle('moved', !clock.real);
}
// It starts a second after the first view, whose reads it would otherwise queue behind; a view that moves the clock
// says so at once (the 'clock' event).
setTimeout(() => every(5000, refreshStatus), 1000);
document.addEventListener('clock', () => attempt(refreshStatus));

window.addEventListener('hashchange', route);
route();
