#include "kafka/dlt_naming.h"

#include <algorithm>
#include <set>

namespace failwatch {
namespace {

constexpr struct {
  DltConvention convention;
  std::string_view name;
} kNames[] = {
    {DltConvention::kSpringDlt, "spring_dlt"},
    {DltConvention::kRetryableDlt, "retryable_dlt"},
    {DltConvention::kScsError, "scs_error"},
};

void AddSource(DltBinding& b, DltSourceRef ref, const std::string& reprocess) {
  if (b.reprocess_group.empty()) b.reprocess_group = reprocess;
  if (std::find(b.sources.begin(), b.sources.end(), ref) == b.sources.end()) {
    b.sources.push_back(std::move(ref));
  }
}

}  // namespace

std::optional<DltConvention> ParseDltConvention(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.convention;
  }
  return std::nullopt;
}

std::string_view DltConventionName(DltConvention c) {
  for (const auto& n : kNames) {
    if (n.convention == c) return n.name;
  }
  return "unknown";
}

std::string ExpectedDltName(DltConvention c, const std::string& topic,
                            const std::string& group) {
  switch (c) {
    case DltConvention::kSpringDlt:
      return topic + ".DLT";
    case DltConvention::kRetryableDlt:
      return topic + "-dlt";
    case DltConvention::kScsError:
      return "error." + topic + "." + group;
  }
  return topic;
}

bool WritesSamePartition(DltConvention c) {
  // DeadLetterPublishingRecoverer's default destination resolver and the
  // Spring Cloud Stream binder both keep the source partition number;
  // @RetryableTopic creates its DLT itself and lets the producer pick the
  // partition when the source's does not exist there.
  return c != DltConvention::kRetryableDlt;
}

namespace {

int PartitionCount(const std::map<std::string, int>& topic_partitions,
                   const std::string& topic) {
  auto it = topic_partitions.find(topic);
  return it == topic_partitions.end() ? 0 : it->second;
}

// Every name that is some group's DLT: such a topic, when consumed (by the
// reprocessor), is not a source in turn.
std::set<std::string> CollectDltNames(
    const std::vector<DltGroupInput>& groups,
    const std::map<std::string, int>& topic_partitions,
    const std::vector<DltConvention>& conventions) {
  std::set<std::string> dlt_names;
  for (const auto& g : groups) {
    dlt_names.insert(g.explicit_dlts.begin(), g.explicit_dlts.end());
    if (!g.explicit_dlts.empty()) continue;
    for (const auto& t : g.topics) {
      for (DltConvention c : conventions) {
        std::string name = ExpectedDltName(c, t, g.group);
        if (topic_partitions.contains(name)) dlt_names.insert(std::move(name));
      }
    }
  }
  return dlt_names;
}

void MatchExplicitDlts(const DltGroupInput& g,
                       const std::map<std::string, int>& topic_partitions,
                       DltMatch& out) {
  for (const auto& d : g.explicit_dlts) {
    if (topic_partitions.contains(d)) {
      AddSource(out.dlts[d], {g.group, "", "explicit", g.required},
                g.reprocess_group);
    } else if (g.required) {
      out.missing.push_back({g.group, "", d, "absent", {d}, 0, 0});
    }
  }
}

void MatchConventionDlts(const DltGroupInput& g, const std::string& topic,
                         const std::map<std::string, int>& topic_partitions,
                         const std::vector<DltConvention>& conventions,
                         DltMatch& out) {
  const int source_partitions = PartitionCount(topic_partitions, topic);
  bool found = false;
  std::vector<std::string> candidates;
  for (DltConvention c : conventions) {
    std::string name = ExpectedDltName(c, topic, g.group);
    candidates.push_back(name);
    if (!topic_partitions.contains(name)) continue;
    found = true;
    AddSource(out.dlts[name],
              {g.group, topic, std::string(DltConventionName(c)), g.required},
              g.reprocess_group);
    const int dlt_partitions = PartitionCount(topic_partitions, name);
    if (g.required && WritesSamePartition(c) &&
        dlt_partitions < source_partitions) {
      out.missing.push_back({g.group,
                             topic,
                             name,
                             "too_few_partitions",
                             {name},
                             source_partitions,
                             dlt_partitions});
    }
  }
  if (!found && g.required) {
    out.missing.push_back({g.group, topic, candidates.front(), "absent",
                           candidates, source_partitions, 0});
  }
}

}  // namespace

DltMatch MatchDlts(const std::vector<DltGroupInput>& groups,
                   const std::map<std::string, int>& topic_partitions,
                   const std::vector<DltConvention>& conventions) {
  const std::set<std::string> dlt_names =
      CollectDltNames(groups, topic_partitions, conventions);
  DltMatch out;
  for (const auto& g : groups) {
    if (!g.explicit_dlts.empty()) {
      MatchExplicitDlts(g, topic_partitions, out);
      continue;
    }
    for (const auto& t : g.topics) {
      if (dlt_names.contains(t) || conventions.empty()) continue;
      MatchConventionDlts(g, t, topic_partitions, conventions, out);
    }
  }
  return out;
}

}  // namespace failwatch
