// The heartbeat upsert of the write probe. Users create the table:
//   CREATE TABLE failwatch_heartbeat(id text PRIMARY KEY, ts timestamptz);
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace failwatch {

// `table` is "name" or "schema.name" of plain identifiers
// ([A-Za-z_][A-Za-z0-9_$]*); each part is quoted. `id` is reduced to
// [A-Za-z0-9._:/-] (other characters become '_') so it can be inlined.
Result<std::string> HeartbeatUpsertSql(std::string_view table,
                                       std::string_view id);

}  // namespace failwatch
