import fs from 'node:fs';
import { Store } from '../src/store/index.js';
import { makeCorpus, random } from './search.js';
const file = process.argv[3]!; fs.rmSync(file, { force: true });
const s = Store.open(file); const make = makeCorpus(random(42));
for (let i = 0; i < Number(process.argv[2]); i++) s.saveDocument(make(i), { size: null, mtime: null, extractorVersion: 1 });
s.close();
