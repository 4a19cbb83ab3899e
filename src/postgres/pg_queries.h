// The SQL failwatch runs on every node. Column order is part of the
// contract with the parsers in pg_rows.h: change both together.
//
// Everything works as a member of pg_monitor (pg_control_checkpoint(),
// other users' rows in pg_stat_activity, pg_stat_wal_receiver's sender).
#pragma once

#include <string>

namespace failwatch {

// One row. On a primary the timeline comes from the current WAL file name
// because pg_control_checkpoint() keeps the old timeline after a promotion
// until the next checkpoint; on a standby from the WAL receiver, falling
// back to the checkpoint when no receiver runs. The replay lag is 0 when
// all received WAL is replayed: on an idle primary no new transaction
// arrives and now() - last replay timestamp would grow without bound.
// The last column is the node's rolled-back transactions over all
// databases (cumulative; reset by pg_stat_reset() or a crash restart): on a
// node in recovery, writes that failed with 25006 roll back (pg_monitor
// reads pg_stat_database).
inline constexpr char kNodeStatusSql[] =
    "SELECT pg_is_in_recovery(),"
    " current_setting('transaction_read_only'),"
    " current_setting('server_version_num'),"
    " extract(epoch FROM pg_postmaster_start_time()),"
    " CASE WHEN NOT pg_is_in_recovery()"
    "  THEN pg_walfile_name(pg_current_wal_lsn()) END,"
    " (SELECT received_tli FROM pg_stat_wal_receiver),"
    " (SELECT timeline_id FROM pg_control_checkpoint()),"
    " CASE WHEN pg_is_in_recovery() THEN"
    "  CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    "  ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
    " END,"
    " pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()),"
    " (SELECT status FROM pg_stat_wal_receiver),"
    " (SELECT sender_host FROM pg_stat_wal_receiver),"
    " (SELECT sender_port FROM pg_stat_wal_receiver),"
    " (SELECT sum(xact_rollback) FROM pg_stat_database)";

enum NodeStatusColumn {
  kStatusInRecovery,
  kStatusReadOnly,
  kStatusServerVersionNum,
  kStatusPostmasterStart,
  kStatusWalFile,
  kStatusReceivedTli,
  kStatusCheckpointTli,
  kStatusReplayLagSeconds,
  kStatusReplayLagBytes,
  kStatusReceiverStatus,
  kStatusSenderHost,
  kStatusSenderPort,
  kStatusXactRollback,
  kStatusColumnCount,
};

// Streaming clients of this node (a primary or a cascading standby).
inline constexpr char kReplicationSql[] =
    "SELECT host(client_addr), application_name, state, sync_state,"
    " pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery()"
    "  THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,"
    "  replay_lsn),"
    " extract(epoch FROM replay_lag)"
    " FROM pg_stat_replication ORDER BY 1, 2";

enum ReplicationColumn {
  kReplClientAddr,
  kReplApplicationName,
  kReplState,
  kReplSyncState,
  kReplLagBytes,
  kReplLagSeconds,
  kReplicationColumnCount,
};

// Client backends grouped, with every backend_start (epoch seconds) so a
// connection can be classified against a promotion time found in the same
// sample. Bounded by max_connections. failwatch's own sessions (monitoring
// and write probes) are excluded.
//
// Only on a node in recovery (NULL elsewhere): per backend, aligned with the
// backend_start array (same ORDER BY; pid breaks ties), the first 1024
// characters of its last statement (kStatementTextLimit) and its
// state_change. A write there has certainly failed with 25006. The parser
// turns the text into a verb at once (statement_verb.h); the text is never
// kept, exported or logged. Bounded: max_connections x 1 KiB.
inline constexpr char kActivitySql[] =
    "SELECT coalesce(application_name, ''), coalesce(usename, ''),"
    " CASE WHEN client_addr IS NOT NULL THEN host(client_addr)"
    "  WHEN client_port = -1 THEN 'local' ELSE '' END,"
    " coalesce(state, ''), coalesce(datname, ''), count(*),"
    " array_agg(extract(epoch FROM backend_start) ORDER BY backend_start, pid),"
    " CASE WHEN pg_is_in_recovery() THEN array_agg(left(coalesce(query, ''),"
    "  1024) ORDER BY backend_start, pid) END,"
    " CASE WHEN pg_is_in_recovery() THEN array_agg(coalesce(extract(epoch"
    "  FROM state_change), 0) ORDER BY backend_start, pid) END"
    " FROM pg_stat_activity"
    " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    "  AND application_name <> 'failwatch'"
    "  AND application_name NOT LIKE 'failwatch-probe-%'"
    " GROUP BY 1, 2, 3, 4, 5 ORDER BY 6 DESC, 1, 2, 3, 4, 5";

enum ActivityColumn {
  kActApplicationName,
  kActUsename,
  kActClientAddr,
  kActState,
  kActDatname,
  kActCount,
  kActBackendStarts,
  kActLastStatements,  // text[]; NULL unless in recovery
  kActStateChanges,    // epoch seconds[]; NULL unless in recovery
  kActivityColumnCount,
};

// All three in one round trip (one PQsendQuery); results arrive in this
// order. A failing statement skips the ones after it.
inline const std::string& NodeSampleSql() {
  static const std::string sql =
      std::string(kNodeStatusSql) + ";" + kReplicationSql + ";" + kActivitySql;
  return sql;
}

// application_name of failwatch's sessions (excluded above).
inline constexpr char kMonitorApplicationName[] = "failwatch";
inline constexpr char kProbeApplicationPrefix[] = "failwatch-probe-";

}  // namespace failwatch
