#include "kafka/fetch_chunks.h"

#include <algorithm>
#include <set>
#include <string>

namespace failwatch {

std::vector<FetchChunk> PlanFetchChunks(
    const std::vector<CommittedRequest>& requests, std::size_t max_partitions) {
  max_partitions = std::max<std::size_t>(max_partitions, 1);
  std::vector<FetchChunk> out;
  for (std::size_t r = 0; r < requests.size(); ++r) {
    const CommittedRequest& req = requests[r];
    if (req.kind == FetchKind::kAll) {
      out.push_back({r, 0, 0});
      continue;
    }
    const auto& parts = req.partitions;
    std::size_t begin = 0;
    while (begin < parts.size()) {
      // Extend topic by topic while the next whole topic still fits.
      std::size_t end = begin;
      while (end < parts.size()) {
        std::size_t topic_end = end;
        while (topic_end < parts.size() &&
               parts[topic_end].topic == parts[end].topic) {
          ++topic_end;
        }
        if (topic_end - begin <= max_partitions) {
          end = topic_end;
        } else {
          if (end == begin) end = begin + max_partitions;  // topic too big
          break;
        }
      }
      out.push_back({r, begin, end});
      begin = end;
    }
  }
  return out;
}

void KeepCommittedTopics(CommittedOffsets& offsets) {
  std::set<std::string> committed;
  for (const auto& [tp, c] : offsets) {
    if (c.offset) committed.insert(tp.topic);
  }
  std::erase_if(offsets, [&](const auto& kv) {
    return !committed.contains(kv.first.topic);
  });
}

std::vector<std::vector<TopicPartition>> SlicePartitions(
    const std::vector<TopicPartition>& partitions, std::size_t max_partitions) {
  max_partitions = std::max<std::size_t>(max_partitions, 1);
  std::vector<std::vector<TopicPartition>> out;
  for (std::size_t i = 0; i < partitions.size(); i += max_partitions) {
    const std::size_t end = std::min(partitions.size(), i + max_partitions);
    out.emplace_back(partitions.begin() + static_cast<std::ptrdiff_t>(i),
                     partitions.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return out;
}

}  // namespace failwatch
