// A target's metric families as /metrics serves them: rendered to text and
// compressed when the target publishes (on its worker thread), so a scrape
// only copies bytes. At 200 000 series, rendering costs ~130 ms and gzip
// ~200 ms: too much for a scrape, fine once per sample. The text and its
// compressed form also take ~3x less memory than the
// prometheus::MetricFamily structs they replace in the snapshot.
//
// The header (HELP/TYPE) and the sample lines are kept apart because
// /metrics merges families of one name across targets (two Kafka clusters
// both export failwatch_kafka_group_partition_lag): the merged family is
// the first target's header followed by every target's samples.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <vector>

#include "core/gzip_segments.h"

namespace failwatch {

struct RenderedFamily {
  std::string name;
  prometheus::MetricType type = prometheus::MetricType::Untyped;
  CompressedText header;   // "# HELP ...\n# TYPE ...\n"
  CompressedText samples;  // the sample lines
};

struct RenderedFamilies {
  std::vector<RenderedFamily> families;  // in the collector's order
  // False when zlib failed on a piece: scrapes of it are served plain.
  bool compressed = true;
};

std::shared_ptr<const RenderedFamilies> RenderFamilies(
    const std::vector<prometheus::MetricFamily>& families);

}  // namespace failwatch
