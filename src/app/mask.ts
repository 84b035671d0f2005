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
  if (/^-?\d+(\.\d+)?$/.test(s)) return s.length <= 4 ? s : s.slice(0, 2) + '*'.repeat(Math.min(s.length - 2, 8));
  if (s.length <= 2) return '*'.repeat(s.length);
  return `${s[0]}***${s.length > 6 ? s[s.length - 1] : ''} (${[...s].length} chars)`;
}
