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
// Vendors write countries as ISO codes (Mixpanel, PostHog) or English names (Amplitude, GA4).
const COUNTRY_ALIASES: Record<string, string> = {
  USA: 'US', 'UNITED STATES': 'US', 'UNITED STATES OF AMERICA': 'US', UK: 'GB', 'UNITED KINGDOM': 'GB', 'GREAT BRITAIN': 'GB',
  AUSTRIA: 'AT', BELGIUM: 'BE', BULGARIA: 'BG', CROATIA: 'HR', CYPRUS: 'CY', CZECHIA: 'CZ', 'CZECH REPUBLIC': 'CZ', DENMARK: 'DK',
  ESTONIA: 'EE', FINLAND: 'FI', FRANCE: 'FR', GERMANY: 'DE', GREECE: 'GR', HUNGARY: 'HU', IRELAND: 'IE', ITALY: 'IT', LATVIA: 'LV',
  LITHUANIA: 'LT', LUXEMBOURG: 'LU', MALTA: 'MT', NETHERLANDS: 'NL', 'THE NETHERLANDS': 'NL', POLAND: 'PL', PORTUGAL: 'PT',
  ROMANIA: 'RO', SLOVAKIA: 'SK', SLOVENIA: 'SI', SPAIN: 'ES', SWEDEN: 'SE', ICELAND: 'IS', LIECHTENSTEIN: 'LI', NORWAY: 'NO',
  SWITZERLAND: 'CH', CANADA: 'CA', MEXICO: 'MX', BRAZIL: 'BR', ARGENTINA: 'AR', AUSTRALIA: 'AU', 'NEW ZEALAND': 'NZ', JAPAN: 'JP',
  CHINA: 'CN', INDIA: 'IN', SINGAPORE: 'SG', 'SOUTH KOREA': 'KR', ISRAEL: 'IL', TURKEY: 'TR', 'SOUTH AFRICA': 'ZA', NIGERIA: 'NG',
};

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
