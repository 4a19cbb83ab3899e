// Which dead-letter topic belongs to which consumed topic: explicit
// groups[].dead_letter_topics (Kafka Connect's
// errors.deadletterqueue.topic.name is one free-form name per connector),
// otherwise the naming conventions of the frameworks that write DLTs. Pure:
// the collector feeds it the topics of an all-topics metadata request.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace failwatch {

enum class DltConvention {
  kSpringDlt,     // <topic>.DLT: Spring Kafka DeadLetterPublishingRecoverer
  kRetryableDlt,  // <topic>-dlt: Spring Kafka @RetryableTopic
  kScsError,      // error.<topic>.<group>: Spring Cloud Stream binder DLQ
};

std::optional<DltConvention> ParseDltConvention(std::string_view name);
std::string_view DltConventionName(DltConvention c);
std::string ExpectedDltName(DltConvention c, const std::string& topic,
                            const std::string& group);
// Whether the framework writes a failed record to the DLT partition with
// the same number as its source partition by default, so a DLT with fewer
// partitions than the source cannot take every failure.
bool WritesSamePartition(DltConvention c);

// What the matcher knows about one consumer group.
struct DltGroupInput {
  std::string group;
  // Named in the config: a missing DLT is reported. Discovered groups only
  // get the DLTs that exist (many groups legitimately have none).
  bool required = false;
  std::vector<std::string> explicit_dlts;
  std::string reprocess_group;      // empty = none
  std::vector<std::string> topics;  // consumed
};

// One (group, source topic) the DLT serves. `topic` is empty for explicit
// DLTs, which serve the whole group.
struct DltSourceRef {
  std::string group;
  std::string topic;
  std::string convention;  // a convention name, or "explicit"
  bool required = false;
  bool operator==(const DltSourceRef&) const = default;
};

struct DltBinding {
  std::vector<DltSourceRef> sources;
  // From the first source group (in input order) that names one.
  std::string reprocess_group;
};

struct DltMissingRef {
  std::string group;
  std::string topic;  // empty for an explicit DLT
  std::string expected_dlt;
  // "absent", or "too_few_partitions" (exists with fewer partitions than a
  // same-partition convention needs).
  std::string reason;
  // Every name that would have satisfied the expectation.
  std::vector<std::string> candidates;
  int source_partitions = 0;
  int dlt_partitions = 0;
  bool operator==(const DltMissingRef&) const = default;
};

struct DltMatch {
  std::map<std::string, DltBinding> dlts;  // by DLT topic
  std::vector<DltMissingRef> missing;      // in input order
};

// `topic_partitions`: every topic of the cluster with its partition count
// (unfiltered: a DLT hidden by topic_deny still exists). A consumed topic
// that is itself a matched DLT is not a source (the reprocessor's input
// has no DLT of its own).
DltMatch MatchDlts(const std::vector<DltGroupInput>& groups,
                   const std::map<std::string, int>& topic_partitions,
                   const std::vector<DltConvention>& conventions);

}  // namespace failwatch
