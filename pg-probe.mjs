import { PGlite } from '@electric-sql/pglite';
const t0 = Date.now();
const db = await PGlite.create();
console.log('create ms', Date.now()-t0);
const r = await db.query("select 1::int8 as a, now() as b, '{a,b}'::text[] as c, '{\"x\":1}'::jsonb as d, 5::numeric as e");
console.log(r.rows, typeof r.rows[0].a);
const t1=Date.now(); const blob = await db.dumpDataDir('none'); console.log('dump ms', Date.now()-t1, blob.size);
const t2=Date.now(); const db2 = await PGlite.create({loadDataDir: blob}); console.log('load ms', Date.now()-t2);
