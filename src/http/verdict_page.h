// The verdict for machines and humans: /verdict (200 when ok, 503 when
// degraded or down, for external probes and load balancers that want the
// answer rather than liveness) and the verdict part of the "/" page.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/snapshot.h"
#include "http/http_types.h"

namespace failwatch::http {

inline constexpr const char* kVerdictPath = "/verdict";
// Where the per-check runbook sections live (docs/runbook.md, "Checks").
inline constexpr const char* kRunbookUrl =
    "https://github.com/failwatch/failwatch/blob/main/docs/runbook.md";

// 200 {"status":"ok",...}; 503 when degraded/down or not evaluated yet.
Response RenderVerdictResponse(const Snapshot& snapshot);

// HTML: the headline, every check not ok (then the ok ones folded), and
// failover timelines. Text is escaped.
std::string RenderVerdictSection(const Snapshot& snapshot, WallTime now);

}  // namespace failwatch::http
