/**
 * Every control character (tab and line feed included) as `?`: what a value from the data may
 * never bring to a terminal or into a line of our own output. The one place this is decided.
 */
export function noControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
