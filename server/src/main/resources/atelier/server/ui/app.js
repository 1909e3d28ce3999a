// Atelier's web UI: plain JavaScript over the native API (/api/). Same-origin requests carry the
// SameSite=Strict cookie the server set when the page was opened with ?token=.
'use strict';
const $ = (id) => document.getElementById(id);
let current = null; // the image shown in the detail dialog

async function api(path, options = {}) {
  const res = await fetch(path, options);
  if (res.status === 204) return null;
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
  return body;
}

function showError(message) {
  const e = $('error');
  e.textContent = message;
  e.hidden = !message;
}

function number(id) {
  const v = $(id).value.trim();
  return v === '' ? undefined : Number(v);
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result.substring(r.result.indexOf(',') + 1));
    r.onerror = () => reject(new Error('init image: cannot read ' + file.name));
    r.readAsDataURL(file);
  });
}

async function buildSpec() {
  const spec = { prompt: $('prompt').value };
  const neg = $('negativePrompt').value;
  if (neg) spec.negativePrompt = neg;
  if ($('model').value) spec.model = $('model').value;
  if ($('scheduler').value) spec.scheduler = $('scheduler').value;
  for (const f of ['steps', 'guidance', 'width', 'height', 'seed', 'batch', 'candidates', 'keep', 'minScore']) {
    const v = number(f);
    if (v !== undefined) spec[f] = v;
  }
  if (spec.candidates !== undefined && spec.batch !== undefined) delete spec.batch;
  const file = $('init').files[0];
  if (file) {
    spec.initData = await readFile(file);
    const s = number('strength');
    if (s !== undefined) spec.strength = s;
  }
  return spec;
}

async function submit(event) {
  event.preventDefault();
  showError('');
  let spec;
  try {
    spec = await buildSpec();
  } catch (e) {
    showError(e.message);
    return;
  }
  await submitJob('generate', spec);
}

function follow(id) {
  $('progress').hidden = false;
  $('preview').hidden = true;
  renderSelection($('selection'), null);
  $('bar-fill').style.width = '0%';
  $('progress-text').textContent = 'queued';
  const events = new EventSource('/api/jobs/' + id + '/events');
  const show = (msg) => {
    const p = JSON.parse(msg.data);
    const pct = p.state === 'done' ? 100 : Math.floor((100 * p.step) / Math.max(1, p.total));
    $('bar-fill').style.width = pct + '%';
    let text = `${p.state} · step ${p.step}/${p.total} · ${pct} %`;
    if (p.rate > 0) text += ` · ${p.rate.toFixed(2)} it/s`;
    if (p.eta !== null && p.state === 'running') text += ` · ETA ${p.eta.toFixed(1)} s`;
    if (p.error) text += ` · ${p.error.message}`;
    $('progress-text').textContent = text;
    return p;
  };
  events.addEventListener('progress', show);
  // A small picture made from the latents every few steps (A1111's "Approx cheap").
  events.addEventListener('preview', (msg) => {
    const p = JSON.parse(msg.data);
    $('preview').src = p.png;
    $('preview').title = `image ${p.image + 1}, step ${p.step}`;
    $('preview').hidden = false;
  });
  events.addEventListener('end', async (msg) => {
    const p = show(msg);
    events.close();
    if (p.error) showError(p.error.message);
    refreshQueue();
    refreshGallery();
    const job = await api('/api/jobs/' + id);
    renderSelection($('selection'), job.result);
  });
}

// A best-of-N job's candidates, best first: seed, score, and kept or the reason it was rejected.
function renderSelection(box, result) {
  box.replaceChildren();
  const sel = result && result.selection;
  box.hidden = !sel;
  if (!sel) return;
  const head = document.createElement('div');
  head.textContent = `Best of ${sel.candidates}: ranked by ${sel.ranked_by}, kept ${sel.keep}` +
    (sel.min_score !== undefined ? `, min score ${sel.min_score}` : '');
  const table = document.createElement('table');
  table.className = 'candidates';
  const tr = document.createElement('tr');
  for (const h of ['#', 'seed', 'score', 'outcome']) {
    const th = document.createElement('th');
    th.textContent = h;
    tr.append(th);
  }
  table.append(tr);
  for (const c of sel.images) {
    const row = document.createElement('tr');
    row.className = c.kept ? 'kept' : 'rejected';
    const outcome = c.kept ? 'kept' : 'rejected: ' + (c.rejected || '');
    for (const v of [c.rank, c.seed === undefined ? '' : c.seed, Number(c.score).toFixed(1), outcome]) {
      const td = document.createElement('td');
      td.textContent = v;
      row.append(td);
    }
    table.append(row);
  }
  box.append(head, table);
}

async function submitJob(kind, spec) {
  showError('');
  try {
    const job = await api('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind, spec }),
    });
    follow(job.id);
    refreshQueue();
    return job;
  } catch (e) {
    showError(e.message);
    return null;
  }
}

let recipes = [];

function showRecipe() {
  const r = recipes.find((x) => x.name === $('recipe').value);
  if (!r) return;
  $('recipe-description').textContent = r.description || '';
  const box = $('recipe-params');
  box.replaceChildren();
  for (const [name, p] of Object.entries(r.params)) {
    if (name === 'text' && r.input === 'text') continue;
    const label = document.createElement('label');
    label.textContent = name + (p.description ? ' — ' + p.description : '');
    const input = document.createElement('input');
    input.type = 'text';
    input.dataset.param = name;
    input.placeholder = p.default === null || p.default === undefined ? '' : String(p.default);
    label.append(input);
    box.append(label);
  }
  $('recipe-text-label').hidden = r.input !== 'text';
  $('recipe-input-label').hidden = !(r.input === 'image' || r.input === 'logo' || r.optionalPicture);
  $('recipe-plan').hidden = true;
}

async function recipeSpec() {
  const spec = { recipe: $('recipe').value, sets: {} };
  for (const input of $('recipe-params').querySelectorAll('input[data-param]')) {
    if (input.value.trim() !== '') spec.sets[input.dataset.param] = input.value;
  }
  const seed = number('recipe-seed');
  if (seed !== undefined) spec.seed = seed;
  if (!$('recipe-text-label').hidden && $('recipe-text').value) spec.text = $('recipe-text').value;
  const file = $('recipe-input').files[0];
  if (!$('recipe-input-label').hidden && file) spec.inputData = await readFile(file);
  if ($('model').value) spec.model = $('model').value;
  return spec;
}

// The recipe's plan, as `atelier recipe run --dry-run` prints it: each job with its basemap.
async function previewRecipe() {
  showError('');
  try {
    const plan = await api('/api/recipes/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ spec: await recipeSpec() }),
    });
    const box = $('recipe-plan');
    box.replaceChildren();
    for (const j of plan.jobs) {
      const div = document.createElement('div');
      div.className = 'plan-job';
      if (j.basemap) {
        const img = document.createElement('img');
        img.src = j.basemap;
        img.alt = 'basemap of ' + j.name;
        div.append(img);
      }
      const text = document.createElement('div');
      const size = j.width ? `${j.width}×${j.height}` : "model's size";
      text.textContent = `${j.name}: seed ${j.seed}, ${size}, ${j.steps || 'default'} steps, batch ${j.batch}` +
        (j.strength !== null ? `, strength ${j.strength}` : '') + ` — ${j.prompt}`;
      div.append(text);
      box.append(div);
    }
    const after = [];
    if (plan.upscale) after.push(`upscale to ${plan.upscale.width}×${plan.upscale.height} (${plan.upscale.method})`);
    if (plan.select) after.push(`keep ${plan.select.keep === 'best' ? 'best ' + plan.select.count : 'all'}` +
      (plan.select.by ? ' by ' + plan.select.by : ''));
    for (const line of after.concat(plan.notes.map((n) => 'note: ' + n))) {
      const div = document.createElement('div');
      div.className = 'hint';
      div.textContent = line;
      box.append(div);
    }
    box.hidden = false;
  } catch (e) {
    showError(e.message);
  }
}

async function runRecipe(event) {
  event.preventDefault();
  let spec;
  try {
    spec = await recipeSpec();
  } catch (e) {
    showError(e.message);
    return;
  }
  await submitJob('recipe', spec);
}

async function upscaleUpload(event) {
  event.preventDefault();
  const file = $('upscale-file').files[0];
  if (!file) {
    showError('upscale: expected an image file to upload, found none');
    return;
  }
  const spec = { inputData: await readFile(file), scale: Number($('upscale-scale').value) };
  if ($('upscale-model').value) spec.model = $('upscale-model').value;
  await submitJob('upscale', spec);
}

async function upscaleCurrent() {
  const spec = { inputImage: current.id, scale: Number($('detail-scale').value) };
  if ($('detail-upscaler').value) spec.model = $('detail-upscaler').value;
  $('detail').close();
  await submitJob('upscale', spec);
}

async function refreshQueue() {
  const list = await api('/api/jobs?limit=20');
  const ul = $('queue');
  ul.replaceChildren();
  for (const j of list.jobs) {
    const li = document.createElement('li');
    li.dataset.id = j.id;
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = j.state;
    const what = document.createElement('span');
    what.textContent = (j.spec.prompt || (j.spec.recipe ? 'recipe ' + j.spec.recipe : j.kind)).substring(0, 60);
    li.append(state, what);
    if (j.state === 'running') {
      const p = document.createElement('span');
      p.textContent = `${j.progress.step}/${j.progress.total}`;
      li.append(p);
    }
    if (j.error) {
      const e = document.createElement('span');
      e.className = 'err';
      e.textContent = j.error.message;
      li.append(e);
    }
    if (j.state === 'queued' || j.state === 'running') {
      const b = document.createElement('button');
      b.textContent = 'Cancel';
      b.className = 'cancel';
      b.onclick = async () => {
        await api('/api/jobs/' + j.id + '/cancel', { method: 'POST' });
        refreshQueue();
      };
      li.append(b);
    }
    ul.append(li);
  }
}

async function refreshGallery() {
  const q = $('filter').value.trim();
  const list = await api('/api/gallery?limit=60' + (q ? '&q=' + encodeURIComponent(q) : ''));
  const grid = $('gallery');
  grid.replaceChildren();
  for (const img of list.images) {
    const fig = document.createElement('figure');
    fig.dataset.id = img.id;
    const i = document.createElement('img');
    i.src = img.url;
    i.alt = img.prompt || '';
    const cap = document.createElement('figcaption');
    const seed = img.record && img.record.settings ? img.record.settings.seed : '';
    cap.textContent = `${img.prompt || ''} · ${seed}`;
    fig.append(i, cap);
    fig.onclick = () => open(img);
    grid.append(fig);
  }
}

function open(img) {
  current = img;
  $('detail-img').src = img.url;
  $('download').href = img.url;
  $('record').textContent = JSON.stringify(img.record, null, 2);
  renderSelection($('detail-selection'), null);
  $('detail').showModal();
  api('/api/jobs/' + img.jobId)
    .then((job) => { if (current === img) renderSelection($('detail-selection'), job.result); })
    .catch(() => {});
}

function reuse() {
  const s = current.record.settings;
  $('prompt').value = s.prompt || '';
  $('negativePrompt').value = s.negativePrompt || '';
  for (const f of ['steps', 'guidance', 'width', 'height', 'seed']) {
    $(f).value = s[f] === undefined || s[f] === null ? '' : s[f];
  }
  $('batch').value = '';
  if (s.scheduler) $('scheduler').value = s.scheduler;
  if (current.model) $('model').value = current.model;
  $('detail').close();
}

async function remove() {
  await api(current.url, { method: 'DELETE' });
  $('detail').close();
  refreshGallery();
}

function size(bytes) {
  if (!bytes) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i++; }
  return bytes.toFixed(i ? 1 : 0) + ' ' + units[i];
}

function cells(tr, values) {
  for (const v of values) {
    const td = document.createElement('td');
    if (v instanceof Node) td.append(v); else td.textContent = v === null || v === undefined ? '' : v;
    tr.append(td);
  }
}

// Installed and offered models with their details; the catalog with a pull button and progress.
async function refreshModels() {
  const list = await api('/api/models');
  const table = $('models');
  table.replaceChildren();
  for (const m of list.models) {
    const tr = document.createElement('tr');
    tr.dataset.id = m.id;
    cells(tr, [m.id + (m.default ? ' (default)' : ''), m.offered ? 'offered' : m.state,
      m.kind || '', size(m.size), m.origin && m.origin.repo ? m.origin.repo : '']);
    table.append(tr);
  }
  const catalog = $('catalog');
  catalog.replaceChildren();
  for (const e of list.catalog) {
    const tr = document.createElement('tr');
    tr.dataset.id = e.id;
    const action = document.createElement('span');
    if (e.installed) {
      action.textContent = 'installed';
    } else {
      const b = document.createElement('button');
      b.textContent = 'Pull';
      b.className = 'pull';
      b.onclick = () => pull(e.id, action);
      action.append(b);
    }
    cells(tr, [e.id, e.kind, size(e.size), e.license, action]);
    catalog.append(tr);
  }
}

async function pull(id, cell) {
  showError('');
  try {
    await api('/api/models/pull', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id }),
    });
  } catch (e) {
    showError(e.message);
    return;
  }
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = 0;
  const text = document.createElement('span');
  text.className = 'pull-text';
  cell.replaceChildren(bar, text);
  const events = new EventSource('/api/models/pull/' + encodeURIComponent(id) + '/events');
  const show = (msg) => {
    const p = JSON.parse(msg.data);
    const pct = p.total ? Math.floor((100 * p.bytes) / p.total) : 0;
    bar.value = p.state === 'done' ? 100 : pct;
    text.textContent = p.state === 'running'
      ? ` ${p.phase || 'starting'} ${p.fileIndex || 0}/${p.files || '?'} · ${pct} %`
      : ` ${p.state}` + (p.error ? ': ' + p.error.message : '');
    return p;
  };
  events.addEventListener('progress', show);
  events.addEventListener('end', (msg) => {
    const p = show(msg);
    events.close();
    if (p.error) showError(p.error.message);
    refreshModels();
  });
}

async function init() {
  const models = await api('/api/models');
  for (const m of models.models) {
    const o = document.createElement('option');
    o.value = m.id;
    o.textContent = m.id;
    o.selected = m.default;
    $('model').append(o);
  }
  const samplers = await api('/sdapi/v1/samplers');
  for (const s of samplers) {
    const o = document.createElement('option');
    o.value = s.aliases[0];
    o.textContent = `${s.aliases[0]} (${s.name})`;
    $('scheduler').append(o);
  }
  const upscalers = await api('/api/upscalers');
  for (const select of document.querySelectorAll('select.upscaler')) {
    const auto = document.createElement('option');
    auto.value = '';
    auto.textContent = upscalers.upscalers.length ? 'default for the scale' : 'none installed';
    select.append(auto);
    for (const id of upscalers.upscalers) {
      const o = document.createElement('option');
      o.value = id;
      o.textContent = id;
      select.append(o);
    }
  }
  recipes = (await api('/api/recipes')).recipes;
  for (const r of recipes) {
    const o = document.createElement('option');
    o.value = r.name;
    o.textContent = r.title || r.name;
    $('recipe').append(o);
  }
  $('recipe').addEventListener('change', showRecipe);
  showRecipe();
  $('recipe-preview').onclick = previewRecipe;
  $('recipe-form').addEventListener('submit', runRecipe);
  $('form').addEventListener('submit', submit);
  $('upscale-form').addEventListener('submit', upscaleUpload);
  $('detail-upscale').onclick = upscaleCurrent;
  $('reuse').onclick = reuse;
  $('delete').onclick = remove;
  $('close').onclick = () => $('detail').close();
  $('filter').addEventListener('input', refreshGallery);
  await refreshQueue();
  await refreshGallery();
  await refreshModels();
  setInterval(refreshQueue, 2000);
  $('status').textContent = 'ready';
}

init().catch((e) => showError(e.message));
