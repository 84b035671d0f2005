/**
 * Masked examples for `inspect --show-values` (issue #5): enough shape to recognise what a
 * field holds, never the value itself — `j***@e***.com`, `203.0.113.x`, `h***://a***.com/…`.
 */
import { isEmailShaped, isIpShaped } from '../core/normalize.js';

export function mask(v: string): string {
  const s = v.trim();
  if (isEmailShaped(s)) {
    const at = s.lastIndexOf('@');
    const domain = s.slice(at + 1);
    const dot = domain.lastIndexOf('.');
    return `${s[0]}***@${domain[0]}***${domain.slice(dot)}`;
  }
  if (isIpShaped(s)) {
    if (s.includes('.') && !s.includes(':')) return s.replace(/\.\d+$/, '.x');
    return s.split(':').slice(0, 3).join(':') + ':x';
  }
  const url = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)/i.exec(s);
  if (url) {
    const host = url[2]!;
    const dot = host.lastIndexOf('.');
    return `${url[1]}://${host[0]}***${dot > 0 ? host.slice(dot) : ''}/…`;
  }
  // A number says nothing by its shape, and a short value is all shape: a PIN, a postcode, a
  // house number would be printed whole (issue 13). Only their length is shown.
  if (/^[-+]?\d+([.,]\d+)?$/.test(s))
    return `${'#'.repeat(Math.min(s.length, 4))} (${s.replace(/\D/g, '').length} digits)`;
  if (s === 'true' || s === 'false' || s === 'null') return s;
  if ([...s].length <= 6) return `*** (${[...s].length} chars)`;
  return `${s[0]}***${s[s.length - 1]} (${[...s].length} chars)`;
}
