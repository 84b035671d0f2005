/**
 * Where a user lives, as the notification basis needs it (issue #7): `US-CA`, `DE`, `GB`.
 * From the user table when it says; otherwise inferred from the vendor's location fields.
 */
const US_STATES: Record<string, string> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT', delaware: 'DE',
  'district of columbia': 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL', indiana: 'IN', iowa: 'IA',
  kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD', massachusetts: 'MA', michigan: 'MI', minnesota: 'MN',
  mississippi: 'MS', missouri: 'MO', montana: 'MT', nebraska: 'NE', nevada: 'NV', 'new hampshire': 'NH', 'new jersey': 'NJ',
  'new mexico': 'NM', 'new york': 'NY', 'north carolina': 'NC', 'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR',
  pennsylvania: 'PA', 'rhode island': 'RI', 'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT',
  vermont: 'VT', virginia: 'VA', washington: 'WA', 'west virginia': 'WV', wisconsin: 'WI', wyoming: 'WY', 'puerto rico': 'PR',
};
const COUNTRY_ALIASES: Record<string, string> = { USA: 'US', 'UNITED STATES': 'US', 'UNITED STATES OF AMERICA': 'US', UK: 'GB', 'UNITED KINGDOM': 'GB' };

/** `('US', 'California')` → `US-CA`; `('de', '')` → `DE`; '' when the country says nothing. */
export function residenceCode(country: string, region: string): string {
  let c = country.trim().toUpperCase();
  c = COUNTRY_ALIASES[c] ?? c;
  if (!/^[A-Z]{2}$/.test(c)) return '';
  if (c !== 'US') return c;
  const r = region.trim();
  if (r === '') return 'US';
  const code = /^[A-Za-z]{2}$/.test(r) ? r.toUpperCase() : US_STATES[r.toLowerCase()];
  return code ? `US-${code}` : 'US';
}
