#!/usr/bin/env node
// Generates the failwatch Grafana dashboards (failwatch-*.json in this
// directory). No npm packages: `node dashboards/generate.mjs [OUTDIR]`.
// Edit this file, regenerate, and commit both; the integration test
// tests/integration/dashboards_structure_test.sh checks that the JSON files
// match this generator and follow the conventions:
// - variables datasource (prometheus), job, instance (+ database / cluster / group);
// - every panel and query uses the ${datasource} variable, never a fixed uid;
// - every panel has fieldConfig.defaults.unit;
// - every rate()/increase() uses $__rate_interval;
// - stable uid, schemaVersion >= 36;
// - every metric is documented in docs/reference/*.md.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = process.argv[2] || dirname(fileURLToPath(import.meta.url));
const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'job=~"$job", instance=~"$instance"';
const DB = `${SEL}, database=~"$database"`;
const KC = `${SEL}, cluster=~"$cluster"`;
const KG = `${KC}, group=~"$group"`;

// ---------------------------------------------------------------- variables
function datasourceVar() {
  return {
    name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus',
    current: {}, hide: 0, refresh: 1, regex: '', options: [],
  };
}
function queryVar(name, label, query, { multi = true, includeAll = true } = {}) {
  return {
    name, label, type: 'query', datasource: DS,
    definition: query, query: { query, refId: `${name}-variable` },
    refresh: 2, sort: 1, multi, includeAll, allValue: includeAll ? '.*' : undefined,
    current: {}, hide: 0, options: [], regex: '',
  };
}
const jobVar = () => queryVar('job', 'Job', 'label_values(failwatch_build_info, job)', { multi: false, includeAll: false });
const instanceVar = () => queryVar('instance', 'Instance', 'label_values(failwatch_build_info{job=~"$job"}, instance)');
const databaseVar = () => queryVar('database', 'Database', `label_values(failwatch_pg_primaries{${SEL}}, database)`);
const clusterVar = () => queryVar('cluster', 'Kafka cluster', `label_values(failwatch_kafka_groups_tracked{${SEL}}, cluster)`);
const groupVar = () => queryVar('group', 'Consumer group', `label_values(failwatch_kafka_group_lag{${KC}}, group)`);

// ---------------------------------------------------------------- panels
function target(expr, legendFormat = '', extra = {}) {
  return { datasource: DS, expr, legendFormat, range: true, instant: false, ...extra };
}
const instantTable = (expr) => target(expr, '', { format: 'table', instant: true, range: false });

// Value mappings: [[value, text, color], ...]
function valueMappings(pairs) {
  const options = {};
  pairs.forEach(([v, text, color], index) => { options[String(v)] = { text, color, index }; });
  return [{ type: 'value', options }];
}
const okBad = valueMappings([[0, 'failing', 'red'], [1, 'ok', 'green']]);

function panel(type, title, description, targets, unit, opts = {}) {
  const { w = 12, h = 8, min, max, mappings = [], thresholds, overrides = [],
    options = {}, custom = {}, transformations, decimals } = opts;
  const p = {
    type, title, description, datasource: DS,
    targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })),
    fieldConfig: {
      defaults: {
        unit, mappings,
        thresholds: thresholds || { mode: 'absolute', steps: [{ color: 'green', value: null }] },
        custom,
      },
      overrides,
    },
    options, _w: w, _h: h,
  };
  if (min !== undefined) p.fieldConfig.defaults.min = min;
  if (max !== undefined) p.fieldConfig.defaults.max = max;
  if (decimals !== undefined) p.fieldConfig.defaults.decimals = decimals;
  if (transformations) p.transformations = transformations;
  return p;
}
const timeseries = (title, desc, targets, unit, opts = {}) => panel('timeseries', title, desc, targets, unit, {
  ...opts,
  custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false, ...(opts.custom || {}) },
  options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' }, ...(opts.options || {}) },
});
const stat = (title, desc, targets, unit, opts = {}) => panel('stat', title, desc, targets, unit, {
  w: 6, h: 4, ...opts,
  options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'auto', justifyMode: 'auto', orientation: 'auto', ...(opts.options || {}) },
});
const stateTimeline = (title, desc, targets, unit, opts = {}) => panel('state-timeline', title, desc, targets, unit, {
  ...opts,
  custom: { fillOpacity: 80, lineWidth: 0, ...(opts.custom || {}) },
  options: { showValue: 'never', mergeValues: true, rowHeight: 0.9, alignValue: 'left', legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'single' }, ...(opts.options || {}) },
});
const table = (title, desc, targets, unit, opts = {}) => panel('table', title, desc, targets, unit, {
  w: 24, ...opts,
  custom: { align: 'auto', displayMode: 'auto', ...(opts.custom || {}) },
  options: { showHeader: true, ...(opts.options || {}) },
});
const row = (title) => ({ type: 'row', title, collapsed: false, panels: [], _w: 24, _h: 1 });

// Lays panels out left to right, 24 columns wide; assigns stable ids.
function layout(panels) {
  let x = 0, y = 0, rowH = 0, id = 1;
  return panels.map((p) => {
    const { _w: w, _h: h, ...rest } = p;
    if (p.type === 'row' || x + w > 24) { y += rowH; x = 0; rowH = 0; }
    const out = { id: id++, gridPos: { h, w, x, y }, ...rest };
    x += w; rowH = Math.max(rowH, h);
    if (p.type === 'row') { y += h; x = 0; rowH = 0; }
    return out;
  });
}

function dashboard({ uid, title, description, tags, vars, panels, annotations = [], links = [] }) {
  return {
    __inputs: [],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '9.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ],
    annotations: {
      list: [
        {
          builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true,
          iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard',
        },
        ...annotations,
      ],
    },
    description, editable: true, fiscalYearStartMonth: 0, graphTooltip: 1, links,
    panels: layout(panels), refresh: '30s', schemaVersion: 38, tags,
    templating: { list: vars }, time: { from: 'now-3h', to: 'now' },
    timepicker: { refresh_intervals: ['10s', '30s', '1m', '5m', '15m'] },
    timezone: 'utc', title, uid, version: 1, weekStart: '',
  };
}

const dashLinks = [{ title: 'failwatch', type: 'dashboards', tags: ['failwatch'], asDropdown: true, includeVars: true, keepTime: true }];

// Failover steps as markers at the time each step happened (the series value).
const failoverAnnotation = {
  name: 'Failover steps', datasource: DS, enable: true, hide: false, iconColor: 'orange',
  expr: `failwatch_failover_step_timestamp_seconds{${SEL}} * 1000`,
  useValueForTime: true, step: '1m', titleFormat: '{{database}}: {{step}}',
  textFormat: 'failover step {{step}} of database {{database}}', tagKeys: 'database,step',
};
const alertsAnnotation = {
  name: 'failwatch alerts', datasource: DS, enable: true, hide: false, iconColor: 'red',
  expr: `ALERTS{alertname=~"Failwatch.*", alertstate="firing", ${SEL}}`,
  step: '1m', titleFormat: '{{alertname}}', textFormat: '{{severity}}', tagKeys: 'alertname,severity',
};

// What the watched systems report is seen by every replica of an HA pair
// (and by each shard for shared topics): sum within one instance, then take
// the max across instances, so a pair never doubles a count.
const acrossReplicas = (by, inner) => `max by (${by}) (sum by (job, instance, ${by}) (${inner}))`;

// Numeric encodings of state sets (state-timeline panels with value mappings).
const verdictExpr = (sel) => `max by (job, instance) (
  (failwatch_status{${sel}, status="ok"} == 1) * 0
  or (failwatch_status{${sel}, status="at_risk"} == 1) * 1
  or (failwatch_status{${sel}, status="degraded"} == 1) * 2
  or (failwatch_status{${sel}, status="down"} == 1) * 3
)`;
// The verdict (failwatch_status): at_risk = only risk checks fail.
const verdictStateMappings = valueMappings([[0, 'ok', 'green'], [1, 'at_risk', 'yellow'], [2, 'degraded', 'orange'], [3, 'down', 'red']]);
// A check's status (failwatch_check_status).
const verdictMappings = valueMappings([[0, 'ok', 'green'], [1, 'degraded', 'orange'], [2, 'down', 'red']]);
const checkLevelExpr = (sel, by) => `max by (${by}) (
  (failwatch_check_status{${sel}, status="ok"} == 1) * 0
  or (failwatch_check_status{${sel}, status="degraded"} == 1) * 1
  or (failwatch_check_status{${sel}, status="down"} == 1) * 2
)`;

// ================================================================ overview
function overview() {
  const panels = [
    row('Verdict'),
    stat('Verdict', 'The verdict (failwatch_status): ok, at_risk (only risk checks fail: the next failover would hurt), degraded or down (the worst impact check).', [target(verdictExpr(SEL), '{{instance}}')], 'none',
      { mappings: verdictStateMappings, w: 6, h: 5 }),
    stat('Checks by status', 'Number of checks per published status.', [target(`count by (status) (max by (check, target, status) (failwatch_check_status{${SEL}} == 1))`, '{{status}}')], 'none',
      { w: 6, h: 5, options: { colorMode: 'value' } }),
    stat('Failovers in progress', 'Databases whose last failover has not converged (failwatch_failover_in_progress).',
      [target(`sum(max by (database) (failwatch_failover_in_progress{${SEL}}))`)], 'none',
      { w: 6, h: 5, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: 1 }] } }),
    stat('Last failover: promotion → apps converged', 'Per database: apps_converged minus promoted of the current or last failover (empty until it converges).',
      [target(`max by (database) (failwatch_failover_step_timestamp_seconds{${SEL}, step="apps_converged"})
  - max by (database) (failwatch_failover_step_timestamp_seconds{${SEL}, step="promoted"})`, '{{database}}')], 's',
      { w: 6, h: 5, options: { colorMode: 'value' } }),

    table('Checks', 'Every check with its published status, worst first, and since when its condition holds. Details: /status | jq .verdict.checks.',
      [instantTable(checkLevelExpr(SEL, 'instance, check, target')),
       instantTable(`max by (instance, check, target) (failwatch_check_since_timestamp_seconds{${SEL}}) * 1000`)],
      'none', {
        h: 10, mappings: verdictMappings,
        custom: { displayMode: 'color-background' },
        transformations: [
          { id: 'merge', options: {} },
          { id: 'organize', options: { excludeByName: { Time: true }, renameByName: { 'Value #A': 'status', 'Value #B': 'since' } } },
          { id: 'sortBy', options: { sort: [{ field: 'status', desc: true }] } },
        ],
        overrides: [{ matcher: { id: 'byName', options: 'since' }, properties: [{ id: 'unit', value: 'dateTimeAsIso' }, { id: 'mappings', value: [] }, { id: 'custom.displayMode', value: 'auto' }] }],
      }),
    stateTimeline('Check status over time', 'Published status of every check (ok / degraded / down).',
      [target(checkLevelExpr(SEL, 'check, target'), '{{check}} {{target}}')], 'none',
      { w: 24, h: 10, mappings: verdictMappings }),

    row('Failover timeline'),
    table('Failover steps', 'Time each reached step of the current or last failover per database (promoted → dns_switched → pgbouncer_moved → apps_converged). Also drawn as dashboard markers.',
      [instantTable(`failwatch_failover_step_timestamp_seconds{${SEL}} * 1000`)], 'dateTimeAsIso', {
        w: 12, h: 8,
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, job: true }, renameByName: { Value: 'at' } } },
                          { id: 'sortBy', options: { sort: [{ field: 'at', desc: false }] } }],
      }),
    stateTimeline('Failover in progress', 'failwatch_failover_in_progress per database: 1 until apps converged.',
      [target(`failwatch_failover_in_progress{${SEL}}`, '{{database}}')], 'none',
      { w: 12, h: 8, mappings: valueMappings([[0, 'converged', 'green'], [1, 'in progress', 'orange']]) }),
    timeseries('Failovers seen', 'Promotions seen by the evaluator.', [target(acrossReplicas('database', `increase(failwatch_failovers_total{${SEL}}[$__rate_interval])`), '{{database}}')], 'short',
      { w: 12, h: 7, custom: { drawStyle: 'bars', fillOpacity: 80 } }),
    stat('Mean convergence since start', 'Mean promotion → apps converged over the failovers seen since failwatch started.',
      [target(`sum by (database) (failwatch_failover_convergence_seconds_sum{${SEL}}) / sum by (database) (failwatch_failover_convergence_seconds_count{${SEL}})`, '{{database}}')], 's',
      { w: 12, h: 7, options: { colorMode: 'value' } }),

    row('failwatch itself'),
    stateTimeline('Collector success', 'Last sample of each target succeeded (failwatch_collector_success).',
      [target(`failwatch_collector_success{${SEL}}`, '{{collector}}/{{target}}')], 'none', { w: 12, mappings: okBad }),
    timeseries('Collector sample duration', 'Duration of the last sample per target; compare with its timeout.',
      [target(`failwatch_collector_duration_seconds{${SEL}}`, '{{collector}}/{{target}}')], 's', { w: 12 }),
    timeseries('Failed samples', 'Failed and deadline-exceeded samples per target.',
      [target(`sum by (instance, collector, target) (increase(failwatch_collector_failures_total{${SEL}}[$__rate_interval]))`, '{{instance}} {{collector}}/{{target}} failed'),
       target(`sum by (instance, collector, target) (increase(failwatch_collector_deadline_exceeded_total{${SEL}}[$__rate_interval]))`, '{{instance}} {{collector}}/{{target}} deadline')], 'short', { w: 8 }),
    timeseries('Scheduler heartbeat age', 'Seconds since the collection loop last beat (/healthz fails above 10 s).',
      [target(`failwatch_scheduler_heartbeat_age_seconds{${SEL}}`, '{{instance}}')], 's', { w: 8 }),
    stateTimeline('Config reload', 'Last configuration (re)load succeeded.',
      [target(`failwatch_config_last_reload_successful{${SEL}}`, '{{instance}}')], 'none', { w: 8, mappings: okBad }),
    timeseries('CPU', 'failwatch process CPU.', [target(`rate(process_cpu_seconds_total{${SEL}}[$__rate_interval])`, '{{instance}}')], 'percentunit', { w: 12, h: 6 }),
    timeseries('Memory', 'failwatch resident memory.', [target(`process_resident_memory_bytes{${SEL}}`, '{{instance}}')], 'bytes', { w: 12, h: 6 }),
  ];
  return dashboard({
    uid: 'failwatch-overview', title: 'failwatch / Overview',
    description: 'failwatch verdict, checks and failover timeline. Runbook: docs/runbook.md.',
    tags: ['failwatch'], vars: [datasourceVar(), jobVar(), instanceVar()], panels,
    annotations: [failoverAnnotation, alertsAnnotation], links: dashLinks,
  });
}

// ================================================================ database
const roleMappings = valueMappings([[1, 'primary', 'green'], [2, 'standby', 'blue'], [3, 'unreachable', 'red'], [4, 'unknown', 'text'], [5, 'superseded primary', 'purple']]);
function database() {
  const panels = [
    row('DNS'),
    stateTimeline('Writer endpoint answers', 'Addresses in the writer endpoint\'s DNS answer over time (failwatch_dns_answer). Gaps = failed lookups. Alternating addresses = flapping.',
      [target(`failwatch_dns_answer{${DB}, role="writer"}`, '{{database}} {{address}}')], 'none',
      { mappings: valueMappings([[1, 'in answer', 'green']]) }),
    stateTimeline('Reader endpoint answers', 'Addresses in the reader endpoint\'s DNS answer over time.',
      [target(`failwatch_dns_answer{${DB}, role="reader"}`, '{{database}} {{address}}')], 'none',
      { mappings: valueMappings([[1, 'in answer', 'blue']]) }),
    timeseries('Answer changes', 'Times the address set of an endpoint changed.',
      [target(acrossReplicas('database, role', `increase(failwatch_dns_answer_changes_total{${DB}}[$__rate_interval])`), '{{database}} {{role}}')], 'short',
      { w: 8, custom: { drawStyle: 'bars', fillOpacity: 80 } }),
    timeseries('Lookup errors', 'Failed lookups by c-ares status (ENOTFOUND = NXDOMAIN, ETIMEOUT, ESERVFAIL, ...).',
      [target(acrossReplicas('database, role, code', `increase(failwatch_dns_lookup_errors_total{${DB}}[$__rate_interval])`), '{{database}} {{role}} {{code}}')], 'short', { w: 8 }),
    timeseries('TTL and lookup duration', 'Minimum TTL of the current answer and duration of the last lookup.',
      [target(`failwatch_dns_ttl_seconds{${DB}}`, '{{database}} {{role}} TTL'),
       target(`failwatch_dns_lookup_duration_seconds{${DB}}`, '{{database}} {{role}} lookup')], 's', { w: 8 }),

    row('Nodes and roles'),
    stateTimeline('Node roles', 'Role of every node failwatch knows (members, DNS answers, replication peers).',
      [target(`max by (database, node) (
  (failwatch_pg_node_role{${DB}, role="primary"} == 1) * 1
  or (failwatch_pg_node_role{${DB}, role="standby"} == 1) * 2
  or (failwatch_pg_node_role{${DB}, role="unreachable"} == 1) * 3
  or (failwatch_pg_node_role{${DB}, role="unknown"} == 1) * 4
  or (failwatch_pg_node_superseded{${DB}} == 1) * 5
)`, '{{database}} {{node}}')], 'none', { w: 16, mappings: roleMappings }),
    stat('Primaries', 'Up primaries per database: 0 = no writer, 2+ = split brain.',
      [target(`failwatch_pg_primaries{${DB}}`, '{{database}}')], 'none',
      { w: 4, h: 8, thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }, { color: 'red', value: 2 }] } }),
    stat('Writer', 'The primary on the highest timeline.',
      [target(`failwatch_pg_writer{${DB}} == 1`, '{{database}}: {{node}}')], 'none',
      { w: 4, h: 8, options: { textMode: 'name', colorMode: 'value' } }),
    timeseries('Standby replay lag', 'now() - last replayed transaction on each standby.',
      [target(`failwatch_pg_standby_replay_lag_seconds{${DB}}`, '{{database}} {{node}}')], 's', { w: 8 }),
    timeseries('Standby WAL not replayed', 'Received minus replayed WAL.',
      [target(`failwatch_pg_standby_replay_lag_bytes{${DB}}`, '{{database}} {{node}}')], 'bytes', { w: 8 }),
    timeseries('Timeline per node', 'A promotion raises the timeline.',
      [target(`failwatch_pg_node_timeline{${DB}}`, '{{database}} {{node}}')], 'none', { w: 8, decimals: 0 }),

    row('Writer endpoint target'),
    stateTimeline('Writer endpoint → node role', 'Role of each node the writer endpoint resolves to now. Anything but primary means new connections cannot write.',
      [target(`max by (database, endpoint, address) (
  (failwatch_pg_endpoint_target{${DB}, role="writer", node_role="primary"} == 1) * 1
  or (failwatch_pg_endpoint_target{${DB}, role="writer", node_role="standby"} == 1) * 2
  or (failwatch_pg_endpoint_target{${DB}, role="writer", node_role="unreachable"} == 1) * 3
  or (failwatch_pg_endpoint_target{${DB}, role="writer", node_role="unknown"} == 1) * 4
  or (failwatch_pg_endpoint_target{${DB}, role="writer", node_role="superseded_primary"} == 1) * 5
)`, '{{database}} {{address}}')], 'none', { w: 12, mappings: roleMappings }),
    table('Endpoint targets now', 'Every address each endpoint resolves to now, with the node\'s role.',
      [instantTable(`failwatch_pg_endpoint_target{${DB}} == 1`)], 'none', {
        w: 12,
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      }),

    row('Application connections'),
    timeseries('Stale connections by app', 'Connections of each configured app on a node it must not use (standby or superseded primary).',
      [target(acrossReplicas('database, app', `failwatch_pg_app_stale_connections{${DB}}`), '{{database}} {{app}}')], 'short', { w: 12 }),
    timeseries('Stale connections by node and cause', 'kept_from_before_promotion = the pool kept it (HikariCP never evicts on 25006); connected_after_promotion = stale DNS / cached address.',
      [target(acrossReplicas('app, node, node_role, cause', `failwatch_pg_stale_app_connections{${DB}}`), '{{app}} on {{node}} ({{node_role}}, {{cause}})')], 'short', { w: 12 }),
    timeseries('Oldest stale connection age', 'Age of the oldest stale connection per app and node.',
      [target(`time() - min by (app, node) (failwatch_pg_stale_app_connections_oldest_start_time_seconds{${DB}})`, '{{app}} on {{node}}')], 's', { w: 12 }),
    timeseries('App connections per node', 'Client backends per node and application_name.',
      [target(acrossReplicas('node, application_name', `failwatch_pg_app_connections{${DB}}`), '{{node}} {{application_name}}')], 'short', { w: 12 }),

    row('Write probe'),
    stateTimeline('Write probe', 'fresh = new connection to what DNS says now; sticky = one long-lived connection, never replaced on 25006 (like HikariCP).',
      [target(`failwatch_pg_write_probe_success{${DB}}`, '{{database}} {{path}}')], 'none', { w: 12, mappings: okBad }),
    stateTimeline('Write probe target', 'Node each path wrote to last.',
      [target(`failwatch_pg_write_probe_target{${DB}} == 1`, '{{database}} {{path}} → {{address}}')], 'none',
      { w: 12, mappings: valueMappings([[1, 'target', 'blue']]) }),
    timeseries('Write probe failures by SQLSTATE', '25006 = read-only node; no_address = endpoint not resolved.',
      [target(acrossReplicas('database, path, sqlstate', `increase(failwatch_pg_write_probe_failures_total{${DB}}[$__rate_interval])`), '{{database}} {{path}} {{sqlstate}}')], 'short',
      { w: 12, custom: { drawStyle: 'bars', fillOpacity: 80 } }),
    timeseries('Write probe latency', 'Duration of the last heartbeat write (fresh includes connecting).',
      [target(`failwatch_pg_write_probe_latency_seconds{${DB}}`, '{{database}} {{path}}')], 's', { w: 12 }),

    row('PgBouncer'),
    timeseries('Stale server connections', 'Server connections of writer pools on a node that is not the writable primary. Fix: RECONNECT <db> on the admin console.',
      [target(acrossReplicas('pgbouncer, pool_db, backend, role', `failwatch_pgbouncer_stale_server_connections{${DB}}`), '{{pgbouncer}} {{pool_db}} → {{backend}} ({{role}})')], 'short', { w: 12 }),
    timeseries('Server connections by backend', 'SHOW SERVERS grouped by backend address and its role.',
      [target(acrossReplicas('pgbouncer, backend, role', `failwatch_pgbouncer_server_connections{${DB}}`), '{{pgbouncer}} → {{backend}} ({{role}})')], 'short', { w: 12 }),
    timeseries('Clients waiting', 'cl_waiting per pool.',
      [target(acrossReplicas('pgbouncer, pool_db, pool_user', `failwatch_pgbouncer_pool_client_connections{${DB}, state="waiting"}`), '{{pgbouncer}} {{pool_db}}/{{pool_user}}')], 'short', { w: 8 }),
    timeseries('Longest client wait', 'maxwait per pool.',
      [target(`failwatch_pgbouncer_pool_maxwait_seconds{${DB}}`, '{{pgbouncer}} {{pool_db}}/{{pool_user}}')], 's', { w: 8 }),
    stateTimeline('Paused databases', 'PgBouncer databases PAUSEd (clients queue up).',
      [target(`failwatch_pgbouncer_database_paused{${DB}}`, '{{pgbouncer}} {{pool_db}}')], 'none',
      { w: 8, mappings: valueMappings([[0, 'running', 'green'], [1, 'paused', 'orange']]) }),
  ];
  return dashboard({
    uid: 'failwatch-database', title: 'failwatch / Database',
    description: 'What a PostgreSQL failover does to applications: DNS answers, node roles, where the writer endpoint points, stale app connections, write probe, PgBouncer pools.',
    tags: ['failwatch'], vars: [datasourceVar(), jobVar(), instanceVar(), databaseVar()], panels,
    annotations: [failoverAnnotation, alertsAnnotation], links: dashLinks,
  });
}

// ================================================================ kafka
function kafka() {
  const statusMappings = valueMappings([[0, 'OK', 'green'], [1, 'WARN', 'yellow'], [2, 'STALL', 'orange'], [3, 'STOP', 'red'], [4, 'REWIND', 'purple'], [5, 'ERR', 'dark-red']]);
  const stateMappings = valueMappings([[0, 'Unknown', 'text'], [1, 'Stable', 'green'], [2, 'PreparingRebalance', 'yellow'], [3, 'CompletingRebalance', 'yellow'], [4, 'Empty', 'orange'], [5, 'Dead', 'red']]);
  const panels = [
    row('Consumer groups'),
    stateTimeline('Group status', 'Burrow-style status per group from failwatch\'s own samples: OK, WARN (lag only grows), STALL (offsets stuck, lag > 0), STOP (stuck, no members), REWIND, ERR.',
      [target(`max by (cluster, group) (
  (failwatch_kafka_group_status{${KG}, status="OK"} == 1) * 0
  or (failwatch_kafka_group_status{${KG}, status="WARN"} == 1) * 1
  or (failwatch_kafka_group_status{${KG}, status="STALL"} == 1) * 2
  or (failwatch_kafka_group_status{${KG}, status="STOP"} == 1) * 3
  or (failwatch_kafka_group_status{${KG}, status="REWIND"} == 1) * 4
  or (failwatch_kafka_group_status{${KG}, status="ERR"} == 1) * 5
)`, '{{cluster}} {{group}}')], 'none', { w: 16, mappings: statusMappings }),
    stat('Groups not OK', 'Groups whose status is not OK.',
      [target(`count(max by (cluster, group) (failwatch_kafka_group_status{${KG}, status!="OK"} == 1)) or vector(0)`)], 'none',
      { w: 4, h: 8, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: 1 }] } }),
    stat('Groups tracked', 'Groups failwatch tracks per cluster.',
      [target(`failwatch_kafka_groups_tracked{${KC}}`, '{{cluster}}')], 'none', { w: 4, h: 8, options: { colorMode: 'value' } }),
    timeseries('Lag (messages)', 'Messages behind, summed over partitions.',
      [target(`failwatch_kafka_group_lag{${KG}}`, '{{cluster}} {{group}}')], 'short', { w: 12 }),
    timeseries('Lag (seconds)', 'Age of the next record to consume on the worst partition (interpolated, never extrapolated).',
      [target(`failwatch_kafka_group_lag_seconds_max{${KG}}`, '{{cluster}} {{group}}')], 's', { w: 12 }),
    timeseries('Lag by topic', 'Messages behind per group and topic.',
      [target(`failwatch_kafka_group_topic_lag{${KG}}`, '{{group}} {{topic}}')], 'short', { w: 12 }),
    timeseries('Lag seconds: lower bounds', 'Partitions whose lag in seconds is only a lower bound (the commit predates failwatch\'s history).',
      [target(acrossReplicas('cluster, group', `failwatch_kafka_group_partition_lag_seconds_is_lower_bound{${KG}}`), '{{cluster}} {{group}}')], 'short', { w: 12 }),
    stateTimeline('Group state', 'Group state from DescribeGroups (absent where the brokers cannot describe groups).',
      [target(`max by (cluster, group) (
  (failwatch_kafka_group_state{${KG}, state="Unknown"} == 1) * 0
  or (failwatch_kafka_group_state{${KG}, state="Stable"} == 1) * 1
  or (failwatch_kafka_group_state{${KG}, state="PreparingRebalance"} == 1) * 2
  or (failwatch_kafka_group_state{${KG}, state="CompletingRebalance"} == 1) * 3
  or (failwatch_kafka_group_state{${KG}, state="Empty"} == 1) * 4
  or (failwatch_kafka_group_state{${KG}, state="Dead"} == 1) * 5
)`, '{{cluster}} {{group}}')], 'none', { w: 12, mappings: stateMappings }),
    timeseries('Members', 'Members per group.',
      [target(`failwatch_kafka_group_members{${KG}}`, '{{cluster}} {{group}}')], 'short', { w: 12, decimals: 0 }),
    timeseries('Rebalances', 'Rebalances seen between DescribeGroups answers (a lower bound).',
      [target(acrossReplicas('cluster, group', `increase(failwatch_kafka_group_rebalances_total{${KG}}[$__rate_interval])`), '{{cluster}} {{group}}')], 'short', { w: 12, decimals: 0 }),
    timeseries('Produce rate', 'Records appended per second (growth of the end offsets) of the topics the groups consume.',
      [target(acrossReplicas('cluster, topic', `deriv(failwatch_kafka_partition_high_watermark{${KC}}[$__rate_interval])`), '{{cluster}} {{topic}}')], 'cps', { w: 12 }),
    timeseries('Commit rate', 'Committed offsets advanced per second (consumption).',
      [target(acrossReplicas('cluster, group, topic', `deriv(failwatch_kafka_group_partition_committed_offset{${KG}}[$__rate_interval])`), '{{group}} {{topic}}')], 'cps', { w: 12 }),

    row('Canary'),
    timeseries('Canary round trip (p50 / p99)', 'produce() to consumed back by failwatch\'s canary group (kafka[].canary).',
      [target(`histogram_quantile(0.5, sum by (cluster, le) (rate(failwatch_kafka_canary_roundtrip_latency_seconds_bucket{${KC}}[$__rate_interval])))`, '{{cluster}} p50'),
       target(`histogram_quantile(0.99, sum by (cluster, le) (rate(failwatch_kafka_canary_roundtrip_latency_seconds_bucket{${KC}}[$__rate_interval])))`, '{{cluster}} p99')], 's', { w: 8 }),
    timeseries('Canary produce latency (p50 / p99)', 'produce() to the brokers\' acknowledgement (acks=all).',
      [target(`histogram_quantile(0.5, sum by (cluster, le) (rate(failwatch_kafka_canary_produce_latency_seconds_bucket{${KC}}[$__rate_interval])))`, '{{cluster}} p50'),
       target(`histogram_quantile(0.99, sum by (cluster, le) (rate(failwatch_kafka_canary_produce_latency_seconds_bucket{${KC}}[$__rate_interval])))`, '{{cluster}} p99')], 's', { w: 8 }),
    timeseries('Canary records', 'Canary records per second: received within the SLA, lost (not received within it), produce errors.',
      [target(`sum by (instance, cluster) (rate(failwatch_kafka_canary_records_received_total{${KC}}[$__rate_interval]))`, '{{instance}} {{cluster}} received'),
       target(`sum by (instance, cluster) (rate(failwatch_kafka_canary_records_lost_total{${KC}}[$__rate_interval]))`, '{{instance}} {{cluster}} lost'),
       target(`sum by (instance, cluster) (rate(failwatch_kafka_canary_produce_errors_total{${KC}}[$__rate_interval]))`, '{{instance}} {{cluster}} produce errors')], 'cps', { w: 8 }),

    row('Dead-letter topics'),
    table('Missing dead-letter topics', 'Configured groups whose expected DLT does not exist (absent) or has too few partitions.',
      [instantTable(`failwatch_kafka_dlt_missing{${KC}} == 1`)], 'none', {
        w: 24, h: 6,
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      }),
    timeseries('DLT arrivals', 'Records that entered each DLT.',
      [target(acrossReplicas('cluster, dlt', `increase(failwatch_kafka_dlt_records_total{${KC}}[$__rate_interval])`), '{{cluster}} {{dlt}}')], 'short',
      { w: 8, custom: { drawStyle: 'bars', fillOpacity: 80 } }),
    timeseries('DLT depth (unhandled)', 'Records nobody reprocessed: end offset − max(start offset, the reprocessing group\'s committed offset).',
      [target(`failwatch_kafka_dlt_unhandled{${KC}}`, '{{cluster}} {{dlt}} unhandled'),
       target(`failwatch_kafka_dlt_retained{${KC}}`, '{{cluster}} {{dlt}} retained')], 'short', { w: 8 }),
    timeseries('Oldest unhandled DLT record', 'Age of the oldest unhandled record, from its timestamp.',
      [target(`failwatch_kafka_dlt_oldest_unhandled_age_seconds{${KC}}`, '{{cluster}} {{dlt}}')], 's', { w: 8 }),
    table('DLT records by origin and exception', 'Recent DLT records by original topic and exception class (Spring headers; only with header reading on).',
      [instantTable(acrossReplicas('cluster, dlt, original_topic, exception', `failwatch_kafka_dlt_header_records{${KC}}`))], 'short', {
        w: 24, h: 7,
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'records' } } },
                          { id: 'sortBy', options: { sort: [{ field: 'records', desc: true }] } }],
      }),

    row('Collector'),
    timeseries('Read time per phase', 'Seconds per phase of the last sample (metadata, watermarks, committed, discovery).',
      [target(`failwatch_kafka_read_seconds{${KC}}`, '{{cluster}} {{phase}}')], 's', { w: 12 }),
    timeseries('Series dropped by the cap', 'Series dropped by max_series.',
      [target(`sum by (instance, cluster) (increase(failwatch_kafka_series_dropped_total{${KC}}[$__rate_interval]))`, '{{instance}} {{cluster}}')], 'short', { w: 12 }),
  ];
  return dashboard({
    uid: 'failwatch-kafka', title: 'failwatch / Kafka',
    description: 'Consumer lag (messages and seconds), Burrow-style status, group state, dead-letter topics.',
    tags: ['failwatch'], vars: [datasourceVar(), jobVar(), instanceVar(), clusterVar(), groupVar()], panels,
    annotations: [failoverAnnotation, alertsAnnotation], links: dashLinks,
  });
}

for (const [name, d] of [['failwatch-overview.json', overview()], ['failwatch-database.json', database()], ['failwatch-kafka.json', kafka()]]) {
  writeFileSync(join(OUT, name), JSON.stringify(d, null, 2) + '\n');
}
