// Live status of a provisioning command (PIN reset, signal refresh, a package's or title's
// entitlements on the card): polled in the background (X-Icok-Background, so watching it does not
// keep the session alive) until DONE or FAILED; "taking longer than usual" once the server says
// it is delayed.
import { html, useEffect, useState } from '../../vendor/preact-htm.js';
import { gql } from '../api.js';
import { hasText, t } from '../i18n.js';
import { COMMAND_STATUS } from '../operations/actions.js';
import { lower, StatusBadge } from './common.js';

/** What a failed entitlement undid: the title's price back in the wallet, or the package order
 * withdrawn ('' when neither). */
export function undoneText(command) {
  if (command.refunded) return t('commandResult.entitlement.refunded', { amount: command.refunded.formatted });
  if (command.withdrawn) return t('commandResult.entitlement.withdrawn');
  return '';
}

/** What the finished command means for the customer: what the PIN is now, what to do next. */
function Outcome({ kind, status, reason, undone }) {
  if (!['done', 'failed'].includes(status)) return null;
  if (status === 'failed' && undone) {
    return html`<span class="command-outcome" data-testid="command-outcome"> ${undone}${reason ? ` (${reason})` : ''}</span>`;
  }
  const key = `commandResult.${kind}.${status}`;
  const text = hasText(key) ? t(key) : t(`commandResult.other.${status}`);
  return html`<span class="command-outcome" data-testid="command-outcome"> ${text}${status === 'failed' && reason ? ` (${reason})` : ''}</span>`;
}

export function CommandStatus({ command, testid = 'command-status' }) {
  const [status, setStatus] = useState(command.status);
  const [reason, setReason] = useState(command.failureReason || '');
  const [delayed, setDelayed] = useState(!!command.delayed);
  const [undone, setUndone] = useState(undoneText(command));
  useEffect(() => {
    let stopped = false;
    let timer = null;
    const step = async () => {
      try {
        const data = await gql(COMMAND_STATUS, { id: command.id }, { background: true });
        if (stopped) return;
        if (data.node) {
          setStatus(data.node.status);
          setReason(data.node.failureReason || '');
          setDelayed(!!data.node.delayed);
          setUndone(undoneText(data.node));
        }
        if (data.node && ['done', 'failed'].includes(lower(data.node.status))) return;
      } catch {
        /* try again */
      }
      if (!stopped) timer = setTimeout(step, 1000);
    };
    if (!['done', 'failed'].includes(lower(status))) timer = setTimeout(step, 700);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [command.id]);
  return html`<p class="command-status" role="status" aria-live="polite" data-testid=${testid} data-status=${lower(status)}>
    ${t(`commandKind.${lower(command.kind)}`)}: <${StatusBadge} group="commandStatus" status=${status} />
    <${Outcome} kind=${lower(command.kind)} status=${lower(status)} reason=${reason} undone=${undone} />
    ${delayed && !['done', 'failed'].includes(lower(status)) && html`<span class="command-delayed muted small" data-testid="command-delayed"> ${t('commandDelayed')}</span>`}
  </p>`;
}
