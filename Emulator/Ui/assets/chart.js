// The balance over time as inline SVG: a step line, since a balance holds its value until the next order.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * points: [{ t: Date, v: number }] oldest first. Times on x (evenly spaced by order when they are all one instant, as
 * under a stopped test clock), balance on y from 0.
 */
export function balanceChart(points, { width = 600, height = 220, label = 'Balance over time' } = {}) {
  const pad = { left: 64, right: 16, top: 12, bottom: 28 };
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart' });
  chart.append(svg('title', {}, label));
  if (points.length === 0) {
    chart.append(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'axis' }, 'no orders yet'));
    return chart;
  }
  const times = points.map(p => p.t.getTime());
  const t0 = Math.min(...times);
  const span = Math.max(...times) - t0;
  const top = Math.max(1, ...points.map(p => p.v));
  const x = i => pad.left + (width - pad.left - pad.right) * (span > 0 ? (times[i] - t0) / span : points.length > 1 ? i / (points.length - 1) : 0);
  const y = v => pad.top + (height - pad.top - pad.bottom) * (1 - v / top);
  let d = `M ${x(0)} ${y(points[0].v)}`;
  for (let i = 1; i < points.length; i++) d += ` H ${x(i)} V ${y(points[i].v)}`;
  d += ` H ${width - pad.right}`;
  for (const v of [0, top / 2, top]) {
    chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'gridline' }));
    chart.append(svg('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, Math.round(v).toLocaleString('en-US')));
  }
  const day = iso => iso.slice(0, 16).replace('T', ' ');
  chart.append(svg('text', { x: pad.left, y: height - 8, class: 'axis' }, day(points[0].t.toISOString())));
  chart.append(svg('text', { x: width - pad.right, y: height - 8, 'text-anchor': 'end', class: 'axis' }, day(points.at(-1).t.toISOString())));
  chart.append(svg('path', { d, class: 'line' }));
  const last = points.length - 1;
  chart.append(svg('circle', { cx: x(last), cy: y(points[last].v), r: 4, class: 'dot' }));
  return chart;
}
