// The page's helpers: build elements, call /admin, show a problem, poll, format. Nothing here knows a view.

const TOKEN_KEY = 'midas-admin-token';

/** An element: h('td', { class: 'num' }, 42). Attributes named on… are listeners; null and false are left out. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A problem answered by /admin (RFC 7807), or the emulator not answering at all (status 0). */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

let unauthorized = () => {};

/** What to do when a call answers 401: app.js shows the login box. */
export function onUnauthorized(handler) { unauthorized = handler; }

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: value => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** One /admin call: JSON in and out, the token if one was given; a failure throws an ApiError with the problem's detail. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'the emulator did not answer', `${method} ${path}: ${e.message}`);
  }
  if (response.status === 401) unauthorized();
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.title ?? `HTTP ${response.status}`,
      problem.detail ?? `${method} ${path} answered HTTP ${response.status}`);
  }
  return response.status === 204 ? null : response.json();
}

/** A query string from the values that are set: query({ openid: 'x', errcode: '' }) is '?openid=x'. */
export function query(params) {
  const set = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return set.length ? '?' + new URLSearchParams(set).toString() : '';
}

/** Shows a failed call's problem under the header until the next one, or until closed; a 401 shows the login box instead. */
export function showProblem(error) {
  if (error instanceof ApiError && error.status === 401) return;
  const box = document.getElementById('problem');
  const title = error instanceof ApiError ? `${error.title}${error.status ? ` (HTTP ${error.status})` : ''}` : 'error';
  box.replaceChildren(h('strong', null, title), ' ', h('span', { class: 'detail' }, error.detail ?? error.message),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'));
  box.hidden = false;
}

/** Runs an action a person started; its failure is shown, and it answers undefined then. */
export async function attempt(action) {
  try {
    return await action();
  } catch (e) {
    showProblem(e);
    return undefined;
  }
}

/** Calls fn now and every ms while the tab is visible, never twice at once; the returned function stops it. */
export function every(ms, fn) {
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped || document.hidden) return;
    busy = true;
    try { await fn(); } catch (e) { showProblem(e); } finally { busy = false; }
  };
  const timer = setInterval(tick, ms);
  tick();
  return () => { stopped = true; clearInterval(timer); };
}

/** 2026-11-25 08:00:01, in UTC as the emulator keeps it. */
export function time(iso) {
  return iso ? iso.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]00:00)$/, '') : '';
}

export const number = n => (n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'));

/** A table with a header row; rows are arrays of cells (a cell may be an element). */
export function table(caption, headings, rows, attrs) {
  return h('table', attrs,
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, headings.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)))),
    h('tbody', null, rows));
}

/** A labelled form field: field('Openid', input). */
export const field = (label, control, hint) => h('label', { class: 'field' }, h('span', null, label), control, hint ? h('small', null, hint) : null);

/** Openids seen on this page (the ledger, the calls): the player search offers them. */
export const seenOpenids = new Set();

/** A link to a player's view. */
export function playerLink(openid, env) {
  seenOpenids.add(openid);
  return h('a', { href: `#players/${encodeURIComponent(openid)}${env && env !== 'sandbox' ? `?env=${env}` : ''}`, class: 'mono' }, openid);
}
