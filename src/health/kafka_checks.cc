#include "health/kafka_checks.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <set>

#include "health/health_format.h"

namespace failwatch {
namespace {

bool Lagging(ConsumerStatus s) {
  return s == ConsumerStatus::kWarn || s == ConsumerStatus::kStall ||
         s == ConsumerStatus::kStop || s == ConsumerStatus::kRewind;
}

std::string Seconds(double s) { return fmt::format("{:.0f} s", s); }

nlohmann::json SourcesJson(const DltState& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : d.sources) {
    out.push_back(
        {{"group", s.group}, {"topic", s.topic}, {"convention", s.convention}});
  }
  return out;
}

}  // namespace

void CheckConsumerLag(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    for (const auto& [name, g] : k->groups) {
      if (!g.configured || g.reprocess_only) continue;
      Condition c;
      c.check = "consumer_lag";
      c.target = k->cluster + "/" + name;
      c.evidence = {{"status", std::string(ConsumerStatusName(g.status))},
                    {"lag_sum", g.lag_sum},
                    {"lag_max", g.lag_max},
                    {"topics", g.topics}};
      if (g.lag_seconds_max) c.evidence["lag_seconds_max"] = *g.lag_seconds_max;
      if (g.state) c.evidence["state"] = *g.state;
      if (g.members) c.evidence["members"] = *g.members;
      if (g.status == ConsumerStatus::kErr) {
        c.unknown = true;
        const Error* e =
            g.error ? &*g.error : (k->error ? &*k->error : nullptr);
        c.reason = fmt::format("offsets of group {} on {} unreadable{}", name,
                               k->cluster, e ? ": " + e->code : "");
        out.push_back(std::move(c));
        continue;
      }
      nlohmann::json bad = nlohmann::json::array();
      for (const auto& p : g.partitions) {
        if (!Lagging(p.status) || bad.size() >= 5) continue;
        bad.push_back({{"topic", p.topic},
                       {"partition", p.partition},
                       {"status", std::string(ConsumerStatusName(p.status))},
                       {"lag", p.lag}});
      }
      if (!bad.empty()) c.evidence["partitions"] = std::move(bad);
      const std::string lag_text = fmt::format(
          "lag {} messages{}", g.lag_sum,
          g.lag_seconds_max ? ", " + Seconds(*g.lag_seconds_max) + " behind"
                            : "");
      const bool too_old =
          g.lag_seconds_max && *g.lag_seconds_max > tuning.consumer_lag_seconds;
      if (Lagging(g.status)) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format("group {} on {} is {} ({})", name, k->cluster,
                               ConsumerStatusName(g.status), lag_text);
      } else if (too_old) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format("group {} on {} is {} behind (over {})", name,
                               k->cluster, Seconds(*g.lag_seconds_max),
                               Seconds(tuning.consumer_lag_seconds));
      } else {
        c.reason = fmt::format("group {} on {} keeps up ({})", name, k->cluster,
                               lag_text);
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckDltMissing(const HealthInputs& in, const HealthTuning&,
                     std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    if (!k->dlts_evaluated) continue;  // metadata unread: nothing to judge
    std::set<std::string> reported;
    for (const auto& m : k->dlt_missing) {
      Condition c;
      c.check = "dlt_missing";
      c.target = k->cluster + "/" + m.group + "/" +
                 (m.topic.empty() ? m.expected_dlt : m.topic);
      c.status = CheckStatus::kDegraded;
      c.evidence = {{"group", m.group},
                    {"topic", m.topic},
                    {"expected_dlt", m.expected_dlt},
                    {"reason", m.reason},
                    {"candidates", m.candidates}};
      if (m.reason == "too_few_partitions") {
        c.evidence["source_partitions"] = m.source_partitions;
        c.evidence["dlt_partitions"] = m.dlt_partitions;
        c.reason = fmt::format(
            "dead-letter topic {} has {} partitions, {} has {}: failures on "
            "the others cannot be written there",
            m.expected_dlt, m.dlt_partitions, m.topic, m.source_partitions);
      } else if (m.topic.empty()) {
        c.reason = fmt::format(
            "dead-letter topic {} of group {} does not "
            "exist",
            m.expected_dlt, m.group);
      } else {
        c.reason = fmt::format(
            "no dead-letter topic for {} consumed by {} (expected {}): a "
            "failed record is lost or blocks the partition",
            m.topic, m.group, Join(m.candidates, " or "));
      }
      // Several reasons for one target: the first explains it.
      if (reported.insert(c.target).second) out.push_back(std::move(c));
    }
    for (const auto& [name, d] : k->dlts) {
      for (const auto& s : d.sources) {
        if (!s.required) continue;
        Condition c;
        c.check = "dlt_missing";
        c.target = k->cluster + "/" + s.group + "/" +
                   (s.topic.empty() ? name : s.topic);
        if (!reported.insert(c.target).second) continue;
        c.evidence = {{"group", s.group},
                      {"topic", s.topic},
                      {"dlt", name},
                      {"convention", s.convention}};
        c.reason = fmt::format("dead-letter topic {} exists", name);
        out.push_back(std::move(c));
      }
    }
  }
}

void CheckDltReceiving(const HealthInputs& in, const HealthTuning& tuning,
                       std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    for (const auto& [name, d] : k->dlts) {
      Condition c;
      c.check = "dlt_receiving";
      c.target = k->cluster + "/" + name;
      c.evidence = {
          {"records_total", d.records_total},
          {"last_arrival_seen",
           TimeJson(d.last_arrival_seen.value_or(WallTime{}))},
          {"newest_record", TimeJson(d.newest_timestamp.value_or(WallTime{}))},
          {"sources", SourcesJson(d)}};
      auto recent = [&](const std::optional<WallTime>& t) {
        return t && in.now - *t <= tuning.dlt_receiving_window;
      };
      // The record timestamp also covers arrivals before failwatch started
      // watching; failwatch's own sighting covers producer clock skew.
      if (recent(d.last_arrival_seen) || recent(d.newest_timestamp)) {
        c.status = CheckStatus::kDegraded;
        const WallTime last = std::max(d.last_arrival_seen.value_or(WallTime{}),
                                       d.newest_timestamp.value_or(WallTime{}));
        c.onset = last;
        c.reason = fmt::format(
            "records are entering dead-letter topic {} (newest {} ago, {} "
            "since watching began)",
            name, FormatAgo(last, in.now), d.records_total);
      } else {
        c.reason = fmt::format("no new records in dead-letter topic {}", name);
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckDltUnhandledAge(const HealthInputs& in, const HealthTuning& tuning,
                          std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    for (const auto& [name, d] : k->dlts) {
      Condition c;
      c.check = "dlt_unhandled_age";
      c.target = k->cluster + "/" + name;
      c.evidence = {{"reprocess_group", d.reprocess_group},
                    {"sources", SourcesJson(d)}};
      if (d.unhandled) c.evidence["unhandled"] = *d.unhandled;
      if (d.oldest_unhandled_age_seconds) {
        c.evidence["oldest_unhandled_age_seconds"] =
            *d.oldest_unhandled_age_seconds;
      }
      const std::string handler = d.reprocess_group.empty()
                                      ? "no reprocessing group configured"
                                      : "reprocessed by " + d.reprocess_group;
      if (!d.unhandled) {
        c.unknown = true;
        c.reason = fmt::format(
            "unhandled records in {} unknown{}", name,
            d.reprocess_error ? " (" + d.reprocess_error->code + ")" : "");
      } else if (*d.unhandled == 0) {
        c.reason = fmt::format("nothing unhandled in {} ({})", name, handler);
      } else if (!d.oldest_unhandled_age_seconds) {
        c.unknown = true;
        c.reason = fmt::format(
            "{} unhandled records in {}, oldest record's time unread",
            *d.unhandled, name);
      } else if (*d.oldest_unhandled_age_seconds >
                 tuning.dlt_unhandled_age_seconds) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format(
            "{} unhandled records in {}, the oldest {} old ({})", *d.unhandled,
            name, Seconds(*d.oldest_unhandled_age_seconds), handler);
      } else {
        c.reason = fmt::format("{} unhandled records in {}, the oldest {} old",
                               *d.unhandled, name,
                               Seconds(*d.oldest_unhandled_age_seconds));
      }
      out.push_back(std::move(c));
    }
  }
}

}  // namespace failwatch
