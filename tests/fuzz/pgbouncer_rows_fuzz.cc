// PgBouncer admin-console parsers on arbitrary SHOW results: the first
// line holds the column names, the rest the rows (fuzz_table.h). Rows are
// cut or padded with NULLs to the column count, as libpq's results always
// are rectangular.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_table.h"
#include "pgbouncer/pgbouncer_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rows = failwatch::fuzz::ParseTextTable(text);
  failwatch::AdminTable t;
  if (!rows.empty()) {
    for (auto& c : rows.front()) t.columns.push_back(c.value_or(""));
    for (std::size_t i = 1; i < rows.size(); ++i) {
      rows[i].resize(t.columns.size());
      t.rows.push_back(std::move(rows[i]));
    }
  }
  const auto pools = failwatch::ParsePools(t);
  if (pools.ok()) FUZZ_CHECK(pools->size() == t.rows.size());
  const auto servers = failwatch::ParseServers(t);
  if (servers.ok()) FUZZ_CHECK(servers->size() <= t.rows.size());
  (void)failwatch::ParseDatabases(t);
  (void)failwatch::ParseStats(t);
  (void)failwatch::ParseVersion(t);
  return 0;
}
