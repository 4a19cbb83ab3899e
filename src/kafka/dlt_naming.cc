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

DltMatch MatchDlts(const std::vector<DltGroupInput>& groups,
                   const std::map<std::string, int>& topic_partitions,
                   const std::vector<DltConvention>& conventions) {
  auto partitions = [&](const std::string& t) {
    auto it = topic_partitions.find(t);
    return it == topic_partitions.end() ? 0 : it->second;
  };
  auto exists = [&](const std::string& t) {
    return topic_partitions.contains(t);
  };

  // Every name that is some group's DLT: such a topic, when consumed (by
  // the reprocessor), is not a source in turn.
  std::set<std::string> dlt_names;
  for (const auto& g : groups) {
    dlt_names.insert(g.explicit_dlts.begin(), g.explicit_dlts.end());
    if (!g.explicit_dlts.empty()) continue;
    for (const auto& t : g.topics) {
      for (DltConvention c : conventions) {
        std::string name = ExpectedDltName(c, t, g.group);
        if (exists(name)) dlt_names.insert(std::move(name));
      }
    }
  }

  DltMatch out;
  for (const auto& g : groups) {
    if (!g.explicit_dlts.empty()) {
      for (const auto& d : g.explicit_dlts) {
        if (exists(d)) {
          AddSource(out.dlts[d], {g.group, "", "explicit", g.required},
                    g.reprocess_group);
        } else if (g.required) {
          out.missing.push_back({g.group, "", d, "absent", {d}, 0, 0});
        }
      }
      continue;
    }
    for (const auto& t : g.topics) {
      if (dlt_names.contains(t) || conventions.empty()) continue;
      bool found = false;
      std::vector<std::string> candidates;
      for (DltConvention c : conventions) {
        std::string name = ExpectedDltName(c, t, g.group);
        candidates.push_back(name);
        if (!exists(name)) continue;
        found = true;
        AddSource(out.dlts[name],
                  {g.group, t, std::string(DltConventionName(c)), g.required},
                  g.reprocess_group);
        if (g.required && WritesSamePartition(c) &&
            partitions(name) < partitions(t)) {
          out.missing.push_back({g.group,
                                 t,
                                 name,
                                 "too_few_partitions",
                                 {name},
                                 partitions(t),
                                 partitions(name)});
        }
      }
      if (!found && g.required) {
        out.missing.push_back({g.group, t, candidates.front(), "absent",
                               candidates, partitions(t), 0});
      }
    }
  }
  return out;
}

}  // namespace failwatch
