// GS1's epcis2.js as a company's system would use it against a Qianchain
// gateway: build and validate an EPCIS 2.0 document with the library,
// capture it, follow the capture job, query the events back; then capture
// each of GS1's example documents and report what the chain made of them.
// Run by scripts/epcis-gateway.sh with GATEWAY (URL), API_KEY and, when
// present, FIXTURES (../shared/fixtures/epcis). Ends with "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import epcis2 from 'epcis2.js'; // a CommonJS bundle: named imports do not resolve

const {
  setup, capture, CaptureResponse, EPCISDocument, ObjectEvent, eventToHashedId,
} = epcis2;

const gateway = process.env.GATEWAY;
const apiKey = process.env.API_KEY;
const fixtures = process.env.FIXTURES || '';
const auth = { Authorization: `Bearer ${apiKey}` };
setup({ apiUrl: `${gateway}/`, headers: { 'content-type': 'application/json', ...auth } });

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`PASS ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail}`);
  }
}

async function get(p, headers = auth) {
  const res = await fetch(`${gateway}${p}`, { headers });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { res, body };
}

// captureDoc captures with epcis2.js and waits for the job to finish.
async function captureDoc(doc, options = {}) {
  const res = await capture(doc, options);
  if (res.status !== 202) {
    return { status: res.status, body: await res.text() };
  }
  const cr = new CaptureResponse(res);
  for (let i = 0; i < 300; i++) {
    const job = await cr.getCaptureJob({ headers: auth });
    if (!cr.getRunningStatus()) return { status: 202, location: cr.getLocation(), job };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { status: 202, location: cr.getLocation(), job: null };
}

const run = Date.now().toString(36);
const lot = (i) => `urn:epc:class:lgtin:6923101.000010.JS${run}${i}`;
const farm = 'urn:epc:id:sgln:6923101.00002.0';

// 1. Discovery and authentication.
{
  const res = await fetch(`${gateway}/capture`, { method: 'OPTIONS', headers: auth });
  check('OPTIONS /capture announces GS1-EPCIS-Capture-Limit', res.status === 204 && Number(res.headers.get('GS1-EPCIS-Capture-Limit')) > 0);
  const root = await get('/');
  check('GET / lists the nine top-level resources', root.res.status === 200 && root.body.member.length === 9);
  const anon = await get('/events', {});
  check('an unauthenticated request gets 401 in GS1\'s shape', anon.res.status === 401 && anon.body.type === 'epcisException:SecurityException');
}

// 2. A document built with epcis2.js: three lots commissioned, one observed.
const events = [0, 1, 2].map((i) => new ObjectEvent({
  eventTime: `2025-03-24T09:3${i}:00.000+08:00`,
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  disposition: 'active',
  readPoint: { id: farm },
  bizLocation: { id: farm },
  epcList: [],
  quantityList: [{ epcClass: lot(i), quantity: 10 + i, uom: 'KGM' }],
}));
events.push(new ObjectEvent({
  eventTime: '2025-03-24T10:00:00.000+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'inspecting',
  readPoint: { id: farm },
  epcList: [],
  quantityList: [{ epcClass: lot(0) }],
}));
// GS1's CBV 2.0 event hash as each event's eventID, as many systems do.
for (const e of events) e.setEventID(eventToHashedId(e.toObject()));
const doc = new EPCISDocument({ schemaVersion: '2.0', creationDate: new Date().toISOString() });
doc.addEventList(events);
check('epcis2.js validates the document', doc.isValid() === true);
const ids = events.map((e) => e.toObject().eventID);
const t0 = Date.now();
const c = await captureDoc(doc);
check('POST /capture answers 202 with a Location', c.status === 202 && /^\/capture\//.test(c.location || ''), JSON.stringify(c.body || ''));
check('the capture job succeeds with every event', c.job && c.job.success === true && c.job['qian:captured'] === 4, JSON.stringify(c.job));
check('the job names its transaction and block', c.job && c.job['qian:transactions'].every((t) => t.height > 0 && t.txHash.length === 64));
console.log(`  captured 4 events in ${Date.now() - t0} ms (POST to committed and indexed)`);

// 3. Query them back.
{
  const q = await get(`/events?EQ_bizStep=commissioning&MATCH_epcClass=${encodeURIComponent(lot(1))}`);
  const list = q.body?.epcisBody?.queryResults?.resultsBody?.eventList || [];
  check('GET /events with EQ_bizStep and MATCH_epcClass finds the lot', q.res.status === 200 && list.length === 1 && list[0].eventID === ids[1], JSON.stringify(q.body).slice(0, 300));
  check('a returned event carries its tx, block and proof link', list.length === 1 && list[0]['qian:tx'] && list[0]['qian:block'] > 0 && /\/proof$/.test(list[0]['qian:proof']));
  const one = await get(`/events/${encodeURIComponent(ids[3])}`);
  const l1 = one.body?.epcisBody?.queryResults?.resultsBody?.eventList || [];
  check('GET /events/{eventID} with a ni:/// eventID', one.res.status === 200 && l1.length === 1 && l1[0].bizStep === 'inspecting');
  const byId = await get(`/events?EQ_eventID=${ids.map(encodeURIComponent).join('|')}&orderBy=eventTime&orderDirection=ASC&perPage=2`);
  const page1 = byId.body?.epcisBody?.queryResults?.resultsBody?.eventList || [];
  const link = byId.res.headers.get('link') || '';
  const next = (link.match(/<([^>]+)>;\s*rel="next"/) || [])[1];
  const p2 = next ? await get(next) : null;
  const page2 = p2?.body?.epcisBody?.queryResults?.resultsBody?.eventList || [];
  check('paging with perPage and nextPageToken returns all four in eventTime order',
    [...page1, ...page2].map((e) => e.eventID).join() === ids.join(), `${page1.length}+${page2.length}`);
  const epc = await get(`/epcs/${encodeURIComponent(lot(0))}/events`);
  check('GET /epcs/{epc}/events', epc.res.status === 200 && epc.body.epcisBody.queryResults.resultsBody.eventList.length === 2);
  const nq = await fetch(`${gateway}/queries`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `inspections-${run}`, query: { EQ_bizStep: ['inspecting'] } }) });
  const qe = await get(`/queries/inspections-${run}/events`);
  check('a named query and its events', nq.status === 201 && qe.res.status === 200 && qe.body.epcisBody.queryResults.resultsBody.eventList.some((e) => e.eventID === ids[3]));
  const again = await captureDoc(doc);
  check('capturing the same document again adds nothing', again.job && again.job['qian:captured'] === 0 && (again.job['qian:skipped'] || []).length === 4);
}

// 4. GS1's example documents, as they are: what the chain records of each
// (most name identifiers of GS1's own example companies, which the farm's
// key may not record; the job says so per event in GS1's error shape).
if (fixtures && fs.existsSync(fixtures)) {
  const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.jsonld') && f !== 'epcis-context.jsonld').sort();
  console.log('\nGS1 example documents captured by the farm\'s gateway (GS1-Capture-Error-Behaviour: proceed):');
  console.log('| document | events | captured | refused (codes) |');
  console.log('|---|---|---|---|');
  let shaped = true;
  for (const f of files) {
    const raw = JSON.parse(fs.readFileSync(path.join(fixtures, f), 'utf8'));
    let d;
    let note = '';
    try {
      d = new EPCISDocument(raw);
    } catch (e) {
      note = ` (epcis2.js: ${String(e.message || e).slice(0, 60)})`;
    }
    const body = d ? d : { toObject: () => raw, isValid: () => true };
    const r = await captureDoc(body, { documentValidation: false, headers: { ...auth, 'content-type': 'application/json', 'GS1-Capture-Error-Behaviour': 'proceed' } });
    if (r.status !== 202 || !r.job) {
      let detail = r.body;
      try { detail = JSON.parse(r.body).detail || r.body; } catch { /* text */ }
      console.log(`| ${f} | – | – | refused whole: HTTP ${r.status} ${String(detail).slice(0, 100)}${note} |`);
      continue;
    }
    const codes = {};
    for (const e of r.job.errors) {
      codes[e['qian:code']] = (codes[e['qian:code']] || 0) + 1;
      shaped = shaped && typeof e.type === 'string' && e.type.startsWith('epcisException:') && typeof e.title === 'string';
    }
    const refused = Object.entries(codes).map(([k, v]) => `${k} ×${v}`).join(', ') || '–';
    console.log(`| ${f} | ${r.job['qian:events']} | ${r.job['qian:captured']} | ${refused}${note} |`);
  }
  check('every refused GS1 example event is reported in GS1\'s error shape', shaped);
} else {
  console.log('\n(no FIXTURES: GS1\'s example documents not captured)');
}

console.log(`\nepcis2.js: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
