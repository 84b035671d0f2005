/**
 * Characters a value from the data may never bring raw into a terminal or a file of ours:
 * C0 and C1 controls (tab and line feed included), DEL, and the Unicode bidi and line-separator
 * controls, which reorder or break what a reader sees (`\u202e` turns `exe.txt` into `txt.exe`).
 * The one place this is decided.
 */

const CONTROLS =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// What JSON.stringify leaves raw: it escapes C0 itself.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex4 = (ch: string) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');

/** Each control as `?`: for the terminal, where a value must not look like a line of ours. */
export function noControls(s: string): string {
  return s.replace(CONTROLS, '?');
}

/**
 * Each control written visibly as `\u001b` (issue 13, SPEC §5): for output files, where the
 * reader must see that the value held one, and no tool downstream may be driven by it.
 */
export function visible(s: string): string {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(s) ? s.replace(CONTROLS, hex4) : s;
}

/** JSON text with no raw control left: the JSON escape of each, so it parses to the same value. */
export function jsonSafe(json: string): string {
  RAW_IN_JSON.lastIndex = 0;
  return RAW_IN_JSON.test(json) ? json.replace(RAW_IN_JSON, hex4) : json;
}
