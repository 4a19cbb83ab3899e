// PostgreSQL row parsers on arbitrary rows (see fuzz_table.h for the
// layout) and the scalar parsers on the raw input. Rows may be short, long
// or NULL anywhere: the parsers must answer with an error value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_table.h"
#include "postgres/pg_rows.h"
#include "postgres/statement_verb.h"

namespace {

void CheckActivity(const std::vector<failwatch::PgRow>& rows) {
  const auto r = failwatch::ParseActivityRows(rows);
  if (!r.ok()) return;
  FUZZ_CHECK(r->size() == rows.size());
  for (const auto& g : *r) {
    // Verbs and state changes are per backend, aligned with the starts.
    FUZZ_CHECK(g.last_verbs.empty() ||
               g.last_verbs.size() == g.backend_starts.size());
    FUZZ_CHECK(g.state_changes.empty() ||
               g.state_changes.size() == g.backend_starts.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<failwatch::PgRow> rows =
      failwatch::fuzz::ParseTextTable(text);
  (void)failwatch::ParseNodeStatus(rows);
  (void)failwatch::ParseReplicationRows(rows);
  CheckActivity(rows);

  (void)failwatch::ParsePgBool(text);
  (void)failwatch::ParsePgDouble(text);
  (void)failwatch::ParsePgInt(text);
  (void)failwatch::ParsePgNumberArray(text);
  (void)failwatch::ParseStatementVerbArray(text);
  (void)failwatch::TimelineFromWalFile(text);
  const failwatch::StatementVerb verb = failwatch::ClassifyStatement(text);
  FUZZ_CHECK(failwatch::StatementVerbName(verb) != nullptr);
  // The classifier reads at most kStatementTextLimit bytes.
  if (text.size() > failwatch::kStatementTextLimit) {
    FUZZ_CHECK(verb == failwatch::ClassifyStatement(
                           text.substr(0, failwatch::kStatementTextLimit)));
  }
  return 0;
}
