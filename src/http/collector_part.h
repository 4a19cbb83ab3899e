// The collector part of /metrics for one snapshot version: every target's
// pre-rendered families plus the framework families, merged by name. It
// changes only when a snapshot is published; the fresh part (daemon and
// process metrics) is appended to it on every scrape.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/gzip_segments.h"
#include "core/rendered_families.h"
#include "core/snapshot.h"

namespace failwatch::http {

struct CollectorPart {
  // The run points into these.
  std::vector<std::shared_ptr<const RenderedFamilies>> sources;
  // Sorted by family name; per name, the first source's header, then the
  // samples of every source whose family has the same type.
  SegmentRun run;
  bool compressed = true;  // false: serve gzip scrapes plain
};

// Merges like MergeFamilies: sources in target order, then the framework
// families; a family whose type differs from the first of its name is left
// out and its name appended to `conflicts`. Families named in `reserved`
// (the daemon's own) are left out: the daemon's metrics win over a
// collector that reused a reserved name.
//
// Cheap (it copies no text) except for targets published with raw
// `families`, which are rendered here.
CollectorPart BuildCollectorPart(const Snapshot& snapshot,
                                 const std::set<std::string>& reserved,
                                 std::vector<std::string>* conflicts);

}  // namespace failwatch::http
