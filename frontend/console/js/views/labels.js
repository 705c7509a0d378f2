// Texts for the API's enum values on the console's customer screens: the SPA's texts where it
// has them (``serviceKind.satellite_tv``), else the console's, else the value itself.
import { hasText, t } from '../../../js/i18n.js';

/** ``label('serviceKind', 'SATELLITE_TV')`` → "Telewizja satelitarna". */
export function label(group, value) {
  if (value === null || value === undefined || value === '') return '—';
  const key = `${group}.${String(value).toLowerCase()}`;
  return hasText(key) ? t(key) : String(value);
}
