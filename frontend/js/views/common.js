// Small shared helpers for the customer screens.
import { html } from '../../vendor/preact-htm.js';
import { hasText, t } from '../i18n.js';
import { Badge } from '../ui.js';

export const lower = (v) => String(v || '').toLowerCase();

export function serviceKindLabel(kind) {
  return t(`serviceKind.${lower(kind)}`);
}

export function StatusBadge({ group, status }) {
  const s = lower(status);
  const tone = {
    active: 'success', paid: 'success', done: 'success', answered: 'success',
    suspended: 'danger', overdue: 'danger', failed: 'danger', unpaid: 'warning',
    pending: 'warning', ending: 'warning', queued: 'info', sent: 'info', new: 'info', in_progress: 'info',
    scheduled: 'info',
  }[s] || 'neutral';
  return html`<${Badge} tone=${tone}>${t(`${group}.${s}`)}</${Badge}>`;
}

/** A title's genre ("comedy") in the UI language; codes without a text are shown as they are. */
export function genreLabel(genre) {
  if (!genre) return '';
  return hasText(`genre.${genre}`) ? t(`genre.${genre}`) : genre;
}

export function connectionNodes(conn) {
  return (conn && conn.nodes) || [];
}
