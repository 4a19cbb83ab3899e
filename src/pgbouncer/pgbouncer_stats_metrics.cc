#include "pgbouncer/pgbouncer_family_groups.h"

namespace failwatch {

void AppendPgBouncerStatsFamilies(const PgBouncerObservation& obs,
                                  PgBouncerFamilies& out) {
  auto xacts = FamilyBuilder::Counter(
      "failwatch_pgbouncer_transactions_total",
      "Transactions pooled (SHOW STATS total_xact_count).");
  auto queries =
      FamilyBuilder::Counter("failwatch_pgbouncer_queries_total",
                             "Queries pooled (SHOW STATS total_query_count).");
  auto received = FamilyBuilder::Counter(
      "failwatch_pgbouncer_received_bytes_total",
      "Bytes received from clients (SHOW STATS total_received).");
  auto sent =
      FamilyBuilder::Counter("failwatch_pgbouncer_sent_bytes_total",
                             "Bytes sent to clients (SHOW STATS total_sent).");
  auto xact_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_transaction_seconds_total",
      "Time spent in transactions (SHOW STATS total_xact_time).");
  auto query_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_query_seconds_total",
      "Time spent in queries (SHOW STATS total_query_time).");
  auto wait_time = FamilyBuilder::Counter(
      "failwatch_pgbouncer_client_wait_seconds_total",
      "Time clients waited for a server (SHOW STATS total_wait_time).");
  for (const PgBouncerStats& s : obs.stats) {
    const Labels db = PgBouncerLabels(obs, {{"pool_db", s.database}});
    xacts.Add(db, static_cast<double>(s.xact_count));
    queries.Add(db, static_cast<double>(s.query_count));
    received.Add(db, static_cast<double>(s.received_bytes));
    sent.Add(db, static_cast<double>(s.sent_bytes));
    xact_time.Add(db, s.xact_seconds);
    query_time.Add(db, s.query_seconds);
    wait_time.Add(db, s.wait_seconds);
  }
  for (auto* f : {&xacts, &queries, &received, &sent, &xact_time, &query_time,
                  &wait_time}) {
    f->MoveTo(out);
  }
}

}  // namespace failwatch
