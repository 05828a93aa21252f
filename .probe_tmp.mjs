import { PGlite } from '@electric-sql/pglite';
const db = new PGlite();
const p = process.argv[2];
const t0=Date.now();
try { const r=await db.exec(`select 'abc' ~ '${p}' as m; select 42 as after`); console.log(JSON.stringify(r.map(x=>x.rows)), Date.now()-t0,'ms'); }
catch(e){ console.log('ERR', e.message, e.code, Date.now()-t0,'ms'); }
try { const r=await db.query(`select 1 as one`); console.log(JSON.stringify(r.rows)); } catch(e){ console.log('ERR2', e.message); }
