#!/usr/bin/env node
// Drives FuseML's MLflow-compatible tracking API with a third party's MLflow REST client from npm: "mlflow" 2.0.7
// (github.com/Yuhsak/mlflow, CommonJS, fetch-based). Each step prints one JSON line ({"step": ..., "ok": true, ...});
// the last line is {"done": true}. A failed step prints {"step": ..., "ok": false, ...} with the request it sent and
// the answer it got, and the process exits 1 (2 for bad usage).
//
//   node mlflow-client.mjs [TRACKING_URL [TOKEN [EXPERIMENT_PREFIX]]]
//
// Or by environment (argv wins):
//   FUSEML_URL                 tracking URI, e.g. http://127.0.0.1:8080 (the client appends /api/2.0/mlflow/...)
//   FUSEML_TOKEN               sent as 'Authorization: Bearer TOKEN' (no token: no header, and no auth.missing step)
//   FUSEML_AUTH                bearer (default) or basic: 'Authorization: Basic base64(fuseml:TOKEN)'
//   FUSEML_ORG                 experiment names become ORG/npm-<random>
//   FUSEML_EXPERIMENT_PREFIX   instead of ORG/npm-: the experiment name is this prefix + <random hex>
//   FUSEML_MISSING_EXPERIMENT_ID  an experiment id that does not exist (default 999999999999)
//   FUSEML_SKIP                comma-separated step names to skip; meant for the ones nothing later depends on:
//                              experiments.list, experiments.set-experiment-tag.client-path, artifacts.list,
//                              auth.missing
//   FUSEML_TIMEOUT_MS          per request (default 30000)
//
// The package has no method for experiments/get-by-name and experiments/search, and it sends set-experiment-tag to a
// wrong path (".../experimentsset-experiment-tag"). Those three are sent through the package's own request code
// (a subclass of its MLflowBase: same URL scheme, headers and error surface); their steps say "via": "MLflowBase.req".
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const [argUrl, argToken, argPrefix] = process.argv.slice(2);
const url = (argUrl || process.env.FUSEML_URL || '').replace(/\/+$/, '');
if (!url) {
    process.stderr.write('usage: node mlflow-client.mjs TRACKING_URL [TOKEN [EXPERIMENT_PREFIX]]'
        + ' (or FUSEML_URL, FUSEML_TOKEN, FUSEML_ORG / FUSEML_EXPERIMENT_PREFIX)\n');
    process.exit(2);
}
const token = argToken ?? process.env.FUSEML_TOKEN ?? '';
const org = process.env.FUSEML_ORG;
const prefix = argPrefix ?? process.env.FUSEML_EXPERIMENT_PREFIX ?? (org ? `${org}/npm-` : 'npm-');
const scheme = (process.env.FUSEML_AUTH || 'bearer').toLowerCase();
if (!['bearer', 'basic'].includes(scheme)) {
    process.stderr.write(`FUSEML_AUTH is bearer or basic, not ${scheme}\n`);
    process.exit(2);
}
const missingExperimentId = process.env.FUSEML_MISSING_EXPERIMENT_ID || '999999999999';
const skip = new Set((process.env.FUSEML_SKIP || '').split(',').map(s => s.trim()).filter(Boolean));
const timeoutMs = Number(process.env.FUSEML_TIMEOUT_MS || 30000);

const out = line => process.stdout.write(JSON.stringify(line) + '\n');

// What the client sends and gets, recorded for the step lines and for a failure's report. isomorphic-unfetch takes
// global.fetch when it is first required (Node 20 has one: undici), so this wrapper must be in place before the
// package is loaded. It changes nothing the server sees; it only adds a timeout.
const realFetch = globalThis.fetch;
let exchanges = [];
globalThis.fetch = async (input, init = {}) => {
    const sent = { method: String(init.method || 'GET').toUpperCase(), url: String(input), body: init.body ?? null,
        authorization: redact(headerOf(init.headers, 'authorization')) };
    exchanges.push(sent);
    const res = await realFetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });
    sent.status = res.status;
    sent.response = await res.clone().text();
    return res;
};
function headerOf(headers, name) {
    if (!headers) return undefined;
    const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
    return found && found[1];
}
function redact(authorization) {
    return authorization ? authorization.replace(/^(\S+)\s.*$/, '$1 <redacted>') : null;
}

// The package console.log()s every POST body it sends; keep stdout for this driver's JSON lines.
console.log = (...args) => process.stderr.write(`[mlflow client] ${args.join(' ')}\n`);

const require = createRequire(import.meta.url);
const MLflow = require('mlflow');
const { MLflowBase } = require('mlflow/lib/mlflow');
const { ViewType, RunStatus, LifecycleStage } = require('mlflow/enum');

const headers = {};
if (token) {
    headers.Authorization = scheme === 'basic'
        ? 'Basic ' + Buffer.from(`fuseml:${token}`).toString('base64')
        : `Bearer ${token}`;
}
const client = new MLflow({ endpoint: url, headers });
const { Experiments, Runs, Metrics, Artifacts } = client;

/** Endpoints the package has no (working) method for, sent with its own request code. */
class ExperimentsExtra extends MLflowBase {
    constructor(args) {
        super(args);
        this.path = '/experiments';
    }
    getByName({ experiment_name }) {
        return this.req('get', '/get-by-name', { experiment_name });
    }
    search({ max_results, page_token, filter, order_by, view_type }) {
        return this.req('post', '/search', { max_results, page_token, filter, order_by, view_type });
    }
    setExperimentTag({ experiment_id, key, value }) {
        return this.req('post', '/set-experiment-tag', { experiment_id, key, value });
    }
}
const extra = new ExperimentsExtra({ endpoint: url, headers });

// ---- helpers

/** The client rejects with new Error(String(err)) where err.message is JSON.stringify({status, statusText, data}). */
function clientError(e) {
    const m = /^Error: (\{.*\})$/s.exec(e?.message ?? '');
    if (!m) return null;
    try {
        return JSON.parse(m[1]);
    } catch {
        return null;
    }
}

/** The client's rejection of promise (asserted to be one of the client's HTTP errors): its message and parsed form. */
async function rejection(promise) {
    let answer;
    try {
        answer = await promise;
    } catch (e) {
        const parsed = clientError(e);
        assert.ok(parsed, `the client rejected with something other than an HTTP error: ${e?.message ?? e}`);
        return { message: e.message, ...parsed };
    }
    assert.fail(`the client was expected to reject; it resolved with ${JSON.stringify(answer)}`);
}

const kv = list => Object.fromEntries((list ?? []).map(({ key, value }) => [key, value]));
const ids = runs => (runs ?? []).map(r => r.info.run_id);
const pathOf = u => {
    const parsed = new URL(u);
    return parsed.pathname + parsed.search;
};

function assertRunInfo(info, { runId, experimentId }) {
    assert.equal(typeof info.run_id, 'string', 'run_id is a string');
    assert.ok(info.run_id.length > 0, 'run_id is not empty');
    if (runId !== undefined) assert.equal(info.run_id, runId);
    assert.equal(typeof info.experiment_id, 'string', 'run_info.experiment_id is a string');
    if (experimentId !== undefined) assert.equal(info.experiment_id, experimentId);
    assert.equal(typeof info.start_time, 'number', 'start_time is a JSON number (milliseconds)');
    assert.ok(Object.values(RunStatus).includes(info.status), `status ${info.status} is a RunStatus`);
    assert.ok(Object.values(LifecycleStage).includes(info.lifecycle_stage),
        `lifecycle_stage ${info.lifecycle_stage} is active or deleted`);
}

let current = 'start';
async function step(name, fn) {
    if (skip.has(name)) {
        out({ step: name, skipped: true });
        return;
    }
    current = name;
    exchanges = [];
    let shown;
    try {
        shown = await fn();
    } catch (e) {
        fail(name, e);
    }
    out({ step: name, ok: true, calls: exchanges.map(x => `${x.method} ${pathOf(x.url)} ${x.status}`), ...shown });
}

function fail(name, e) {
    const last = exchanges.at(-1);
    const line = { step: name, ok: false, error: String(e?.message ?? e) };
    if (e instanceof assert.AssertionError) {
        line.assertion = { operator: e.operator, actual: e.actual, expected: e.expected };
    }
    const parsed = clientError(e);
    if (parsed) line.client_error = parsed;
    if (last) {
        line.request = { method: last.method, url: last.url, body: last.body, authorization: last.authorization };
        line.response = { status: last.status ?? null, body: last.response ?? null };
    }
    line.calls = exchanges.map(x => `${x.method} ${x.url} ${x.status ?? 'no answer'}`);
    try {
        out(line);
    } catch {
        out({ step: name, ok: false, error: String(e?.message ?? e) }); // actual/expected that JSON cannot carry
    }
    process.exit(1);
}

process.on('unhandledRejection', e => fail(current, e));

// ---- the steps

const experimentName = `${prefix}${randomBytes(4).toString('hex')}`;
out({ step: 'config', ok: true, url, auth: token ? scheme : 'none', experiment_name: experimentName,
    skipped: [...skip] });

let experimentId;
await step('experiments.create', async () => {
    const answer = await Experiments.create({ name: experimentName });
    assert.equal(typeof answer?.experiment_id, 'string', 'experiment_id is a string');
    assert.ok(answer.experiment_id.length > 0);
    experimentId = answer.experiment_id;
    return { experiment_id: experimentId };
});

await step('experiments.get', async () => {
    const { experiment } = await Experiments.get({ experiment_id: experimentId });
    assert.equal(experiment.experiment_id, experimentId);
    assert.equal(experiment.name, experimentName);
    assert.equal(experiment.lifecycle_stage, LifecycleStage.active);
    for (const t of ['creation_time', 'last_update_time']) {
        if (experiment[t] !== undefined) assert.equal(typeof experiment[t], 'number', `${t} is a JSON number`);
    }
    return { experiment };
});

await step('experiments.get-by-name', async () => {
    const { experiment } = await extra.getByName({ experiment_name: experimentName });
    assert.equal(experiment.experiment_id, experimentId);
    assert.equal(experiment.name, experimentName);
    return { via: 'MLflowBase.req', experiment_id: experiment.experiment_id };
});

await step('experiments.search', async () => {
    const answer = await extra.search({ max_results: 10, filter: `name = '${experimentName}'`,
        order_by: ['name ASC'], view_type: ViewType.ACTIVE_ONLY });
    const found = answer.experiments ?? [];
    assert.deepEqual(found.map(e => e.experiment_id), [experimentId]);
    assert.equal(found[0].name, experimentName);
    return { via: 'MLflowBase.req', experiment_ids: found.map(e => e.experiment_id) };
});

// MLflow 1.x's endpoint (removed in MLflow 2.0); it is the client's only way to find experiments.
await step('experiments.list', async () => {
    const { experiments } = await Experiments.list({ view_type: ViewType.ACTIVE_ONLY });
    assert.ok(Array.isArray(experiments), 'experiments is a list');
    assert.ok(experiments.some(e => e.experiment_id === experimentId && e.name === experimentName),
        'the new experiment is listed');
    return { count: experiments.length };
});

// The client's setExperimentTag posts to ".../mlflow/experimentsset-experiment-tag" (its path lacks the slash).
await step('experiments.set-experiment-tag.client-path', async () => {
    const refused = await rejection(Experiments.setExperimentTag({ experiment_id: experimentId, key: 'k', value: 'v' }));
    assert.ok(exchanges.at(-1).url.endsWith('/api/2.0/mlflow/experimentsset-experiment-tag'),
        `the client's path is ${exchanges.at(-1).url}`);
    return { surfaced: refused.message, status: refused.status };
});

await step('experiments.set-experiment-tag', async () => {
    const answer = await extra.setExperimentTag({ experiment_id: experimentId, key: 'owner', value: 'npm-client' });
    assert.deepEqual(answer, {});
    const { experiment } = await Experiments.get({ experiment_id: experimentId });
    assert.equal(kv(experiment.tags).owner, 'npm-client');
    return { via: 'MLflowBase.req', tags: experiment.tags };
});

const startTime = Date.now();
let runA;
await step('runs.create', async () => {
    const { run } = await Runs.create({ experiment_id: experimentId, user_id: 'npm-client', start_time: startTime,
        tags: [{ key: 'source', value: 'npm-mlflow' }] });
    assertRunInfo(run.info, { experimentId });
    assert.equal(run.info.status, RunStatus.RUNNING);
    assert.equal(run.info.lifecycle_stage, LifecycleStage.active);
    assert.equal(run.info.start_time, startTime);
    assert.equal(kv(run.data?.tags).source, 'npm-mlflow');
    runA = run.info.run_id;
    return { run_id: runA, run_uuid: run.info.run_uuid, run_name: run.info.run_name, user_id: run.info.user_id,
        artifact_uri: run.info.artifact_uri };
});

await step('runs.log-parameter', async () => {
    assert.deepEqual(await Runs.logParameter({ run_id: runA, key: 'alpha', value: '0.5' }), {});
});

const rmse = [0.9, 0.7, 0.5];
await step('runs.log-metric', async () => {
    for (const [i, value] of rmse.entries()) {
        assert.deepEqual(await Runs.logMetric({ run_id: runA, key: 'rmse', value, timestamp: startTime + i + 1,
            step: i }), {});
    }
    return { key: 'rmse', values: rmse };
});

await step('runs.set-tag', async () => {
    assert.deepEqual(await Runs.setTag({ run_id: runA, key: 'stage', value: 'dev' }), {});
});

await step('runs.log-batch', async () => {
    assert.deepEqual(await Runs.logBatch({ run_id: runA,
        metrics: [{ key: 'mae', value: 0.4, timestamp: startTime + 1, step: 0 },
            { key: 'mae', value: 0.3, timestamp: startTime + 2, step: 1 }],
        params: [{ key: 'l1_ratio', value: '0.1' }],
        tags: [{ key: 'team', value: 'ml' }] }), {});
});

await step('runs.get', async () => {
    const { run } = await Runs.get({ run_id: runA });
    assertRunInfo(run.info, { runId: runA, experimentId });
    assert.deepEqual(kv(run.data.params), { alpha: '0.5', l1_ratio: '0.1' });
    const metrics = Object.fromEntries(run.data.metrics.map(m => [m.key, m]));
    assert.deepEqual(Object.keys(metrics).sort(), ['mae', 'rmse']);
    assert.equal(metrics.rmse.value, 0.5, 'a run shows the latest value (highest step)');
    assert.equal(metrics.rmse.step, 2);
    assert.equal(metrics.rmse.timestamp, startTime + 3);
    assert.equal(metrics.mae.value, 0.3);
    const tags = kv(run.data.tags);
    assert.equal(tags.source, 'npm-mlflow');
    assert.equal(tags.stage, 'dev');
    assert.equal(tags.team, 'ml');
    return { data: run.data };
});

await step('metrics.get-history', async () => {
    const { metrics } = await Metrics.getHistory({ run_id: runA, metric_key: 'rmse' });
    const sorted = [...metrics].sort((a, b) => a.step - b.step);
    assert.deepEqual(sorted.map(m => [m.key, m.value, m.step, m.timestamp]),
        rmse.map((v, i) => ['rmse', v, i, startTime + i + 1]));
    const mae = (await Metrics.getHistory({ run_id: runA, metric_key: 'mae' })).metrics;
    assert.deepEqual(mae.map(m => m.value).sort(), [0.3, 0.4]);
    return { rmse: metrics };
});

const endTime = startTime + 1000;
await step('runs.update', async () => {
    const { run_info } = await Runs.update({ run_id: runA, status: RunStatus.FINISHED, end_time: endTime });
    assert.equal(run_info.run_id, runA);
    assert.equal(run_info.status, RunStatus.FINISHED);
    assert.equal(run_info.end_time, endTime);
    const { run } = await Runs.get({ run_id: runA });
    assert.equal(run.info.status, RunStatus.FINISHED);
    assert.equal(run.info.end_time, endTime);
    return { run_info };
});

// Two more runs, for the filter and the order: B does not match (alpha 0.9, rmse 1.5), C does (alpha 0.5, rmse 0.3).
let runB, runC;
await step('runs.create.more', async () => {
    const made = [];
    for (const [alpha, value] of [['0.9', 1.5], ['0.5', 0.3]]) {
        const { run } = await Runs.create({ experiment_id: experimentId, user_id: 'npm-client',
            start_time: Date.now() });
        assertRunInfo(run.info, { experimentId });
        assert.deepEqual(await Runs.logBatch({ run_id: run.info.run_id,
            metrics: [{ key: 'rmse', value, timestamp: Date.now(), step: 0 }],
            params: [{ key: 'alpha', value: alpha }] }), {});
        made.push(run.info.run_id);
    }
    [runB, runC] = made;
    assert.equal(new Set([runA, runB, runC]).size, 3, 'run ids differ');
    return { run_ids: { A: runA, B: runB, C: runC } };
});

const filter = "metrics.rmse < 1 and params.alpha = '0.5'";
await step('runs.search', async () => {
    const desc = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'],
        run_view_type: ViewType.ACTIVE_ONLY, max_results: 10 });
    assert.deepEqual(ids(desc.runs), [runA, runC], 'rmse 0.5 (A) before 0.3 (C)');
    const a = desc.runs[0];
    assert.equal(kv(a.data.params).alpha, '0.5');
    assert.ok(a.data.metrics.some(m => m.key === 'rmse' && m.value === 0.5));
    const asc = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse ASC'] });
    assert.deepEqual(ids(asc.runs), [runC, runA], 'rmse 0.3 (C) before 0.5 (A)');
    return { filter, desc: ids(desc.runs), asc: ids(asc.runs) };
});

await step('runs.search.pages', async () => {
    const first = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'],
        max_results: 1 });
    assert.deepEqual(ids(first.runs), [runA]);
    assert.equal(typeof first.next_page_token, 'string', 'a first page of one names the next');
    const second = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'],
        max_results: 1, page_token: first.next_page_token });
    assert.deepEqual(ids(second.runs), [runC]);
    return { next_page_token: first.next_page_token };
});

await step('runs.search.attributes-tags-none', async () => {
    const tagged = await Runs.search({ experiment_ids: [experimentId],
        filter: "tags.stage = 'dev' and attributes.status = 'FINISHED'" });
    assert.deepEqual(ids(tagged.runs), [runA]);
    const none = await Runs.search({ experiment_ids: [experimentId], filter: "params.alpha = '0.7'" });
    assert.deepEqual(none.runs ?? [], [], 'no run matches (MLflow omits an empty runs list)');
    return { tagged: ids(tagged.runs), none: none.runs ?? null };
});

await step('runs.delete', async () => {
    assert.deepEqual(await Runs.delete({ run_id: runA }), {});
    const { run } = await Runs.get({ run_id: runA });
    assert.equal(run.info.lifecycle_stage, LifecycleStage.deleted);
    const active = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'],
        run_view_type: ViewType.ACTIVE_ONLY });
    assert.deepEqual(ids(active.runs), [runC]);
    const deleted = await Runs.search({ experiment_ids: [experimentId], run_view_type: ViewType.DELETED_ONLY });
    assert.deepEqual(ids(deleted.runs), [runA]);
    const all = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'],
        run_view_type: ViewType.ALL });
    assert.deepEqual(ids(all.runs), [runA, runC]);
    return { lifecycle_stage: run.info.lifecycle_stage };
});

await step('runs.restore', async () => {
    assert.deepEqual(await Runs.restore({ run_id: runA }), {});
    const { run } = await Runs.get({ run_id: runA });
    assert.equal(run.info.lifecycle_stage, LifecycleStage.active);
    const active = await Runs.search({ experiment_ids: [experimentId], filter, order_by: ['metrics.rmse DESC'] });
    assert.deepEqual(ids(active.runs), [runA, runC]);
    return { lifecycle_stage: run.info.lifecycle_stage };
});

await step('runs.set-tag+delete-tag', async () => {
    assert.deepEqual(await Runs.setTag({ run_id: runA, key: 'temp', value: 'x' }), {});
    assert.equal(kv((await Runs.get({ run_id: runA })).run.data.tags).temp, 'x');
    assert.deepEqual(await Runs.deleteTag({ run_id: runA, key: 'temp' }), {});
    const tags = kv((await Runs.get({ run_id: runA })).run.data.tags);
    assert.ok(!('temp' in tags), 'the tag is gone');
    assert.equal(tags.stage, 'dev', 'other tags stay');
});

await step('artifacts.list', async () => {
    const answer = await Artifacts.list({ run_id: runA });
    assert.equal(typeof answer.root_uri, 'string', 'root_uri is a string');
    assert.deepEqual(answer.files ?? [], [], 'a new run has no artifacts (MLflow omits an empty files list)');
    return { answer };
});

await step('errors.experiment-missing', async () => {
    const refused = await rejection(Experiments.get({ experiment_id: missingExperimentId }));
    assert.equal(refused.status, 404);
    assert.equal(refused.data?.error_code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal(typeof refused.data?.message, 'string');
    return { surfaced: refused.message };
});

await step('errors.run-missing', async () => {
    const refused = await rejection(Runs.get({ run_id: 'f'.repeat(32) }));
    assert.equal(refused.status, 404);
    assert.equal(refused.data?.error_code, 'RESOURCE_DOES_NOT_EXIST');
    return { surfaced: refused.message };
});

await step('errors.experiment-name-missing', async () => {
    const refused = await rejection(extra.getByName({ experiment_name: `${experimentName}-absent` }));
    assert.equal(refused.status, 404);
    assert.equal(refused.data?.error_code, 'RESOURCE_DOES_NOT_EXIST');
    return { via: 'MLflowBase.req', surfaced: refused.message };
});

if (token) {
    await step('auth.missing', async () => {
        const anonymous = new MLflow({ endpoint: url }).Experiments;
        const refused = await rejection(anonymous.get({ experiment_id: experimentId }));
        assert.equal(refused.status, 401);
        assert.equal(exchanges.at(-1).authorization, null, 'the anonymous client sent no Authorization');
        return { surfaced: refused.message };
    });
}

await step('experiments.update', async () => {
    const newName = `${experimentName}-renamed`;
    assert.deepEqual(await Experiments.update({ experiment_id: experimentId, new_name: newName }), {});
    const { experiment } = await extra.getByName({ experiment_name: newName });
    assert.equal(experiment.experiment_id, experimentId);
    assert.equal(experiment.name, newName);
    return { name: newName };
});

await step('experiments.delete+restore', async () => {
    assert.deepEqual(await Experiments.delete({ experiment_id: experimentId }), {});
    assert.equal((await Experiments.get({ experiment_id: experimentId })).experiment.lifecycle_stage,
        LifecycleStage.deleted);
    assert.deepEqual(await Experiments.restore({ experiment_id: experimentId }), {});
    assert.equal((await Experiments.get({ experiment_id: experimentId })).experiment.lifecycle_stage,
        LifecycleStage.active);
});

out({ done: true });
