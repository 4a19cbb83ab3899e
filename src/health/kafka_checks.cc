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

double ToSecondsD(Millis m) { return std::chrono::duration<double>(m).count(); }

// "8", "0.5", "19.5", "1250": one decimal below 100 unless it is ".0".
std::string Rate(double r) {
  std::string s = fmt::format("{:.1f}", r);
  if (r >= 100 || s.ends_with(".0")) s = fmt::format("{:.0f}", r);
  return s;
}

// What the lag in seconds cannot date (kafka/lag_flags.h), or "".
std::string CaveatText(const GroupState& g) {
  int expired = 0, compacted = 0;
  for (const auto& p : g.partitions) {
    expired += p.lag_seconds_caveat == "expired";
    compacted += p.lag_seconds_caveat == "compacted";
  }
  std::string out;
  if (expired > 0) {
    out += fmt::format(
        "; unconsumed records deleted by retention on {} partition{}", expired,
        expired == 1 ? "" : "s");
  }
  if (compacted > 0) {
    out += fmt::format(
        "; lag seconds a lower bound on {} partition{} (no record at the "
        "committed offset: compacted or deleted)",
        compacted, compacted == 1 ? "" : "s");
  }
  return out;
}

std::string LagText(const GroupState& g) {
  return fmt::format(
      "lag {}{}{}", CountOf(g.lag_sum, "message"),
      g.lag_seconds_max ? ", " + Seconds(*g.lag_seconds_max) + " behind" : "",
      CaveatText(g));
}

void RatesEvidence(const GroupRates& r, nlohmann::json& e) {
  e["window_seconds"] = r.window_seconds;
  e["window_covered"] = r.window_covered;
  e["covered_seconds"] = r.covered_seconds;
  e["consume_rate"] = r.consume_rate;
  e["produce_rate"] = r.produce_rate;
  e["lag_growth"] = r.lag_growth;
  e["lag_growing"] = r.lag_growing;
  e["no_progress_seconds"] = r.no_progress_seconds;
  if (r.last_progress) e["last_progress"] = TimeJson(*r.last_progress);
  if (r.drain_seconds) e["drain_seconds"] = *r.drain_seconds;
  // [unix seconds, lag] pairs, oldest first: the status page's sparkline.
  nlohmann::json history = nlohmann::json::array();
  for (const auto& p : r.lag_history) {
    history.push_back({ToUnixSeconds(p.at), p.lag});
  }
  e["lag_history"] = std::move(history);
}

// The rates' verdict once the window is covered: stopped or falling
// behind degrade; otherwise a reason that says "keeps up" only when the
// lag is flat or falling.
void JudgeByRates(const std::string& who, const GroupState& g,
                  const GroupRates& r, const HealthTuning& tuning, WallTime now,
                  Condition& c) {
  const bool stopped =
      g.lag_sum > 0 &&
      r.no_progress_seconds >= ToSecondsD(tuning.consumer_lag_stopped_after);
  if (stopped) {
    c.status = CheckStatus::kDegraded;
    c.onset = now - std::chrono::duration_cast<WallTime::duration>(
                        std::chrono::duration<double>(r.no_progress_seconds));
    c.reason = fmt::format("{} stopped: no progress for {}, {} behind", who,
                           Seconds(r.no_progress_seconds),
                           CountOf(g.lag_sum, "message"));
  } else if (r.lag_growing) {
    c.status = CheckStatus::kDegraded;
    const double gap = r.produce_rate > r.consume_rate
                           ? r.produce_rate - r.consume_rate
                           : r.lag_slope;
    c.reason = fmt::format(
        "{} is falling behind by {} msg/s (consuming {}/s of {}/s), {}", who,
        Rate(gap), Rate(r.consume_rate), Rate(r.produce_rate), LagText(g));
  } else if (r.drain_seconds) {
    c.reason =
        fmt::format("{} is draining ({}, consuming {}/s of {}/s), done in ~{}",
                    who, LagText(g), Rate(r.consume_rate), Rate(r.produce_rate),
                    Seconds(*r.drain_seconds));
  } else if (r.lag_growth <= 0) {
    c.reason = fmt::format("{} keeps up ({}, {})", who, LagText(g),
                           r.lag_growth < 0 ? "falling" : "flat");
  } else {
    c.reason = fmt::format(
        "{}: {}, up {} in {} but not steadily (consuming {}/s of {}/s)", who,
        LagText(g), r.lag_growth, Seconds(r.covered_seconds),
        Rate(r.consume_rate), Rate(r.produce_rate));
  }
}

// The rules that need no rates: Burrow-style status and lag in seconds.
// Without covered rates nothing says whether the lag is flat, so the
// reason never claims the group keeps up.
void JudgeByStatus(const std::string& who, const GroupState& g,
                   const HealthTuning& tuning, bool rates_known, Condition& c) {
  if (Lagging(g.status)) {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format("{} is {} ({})", who, ConsumerStatusName(g.status),
                           LagText(g));
    return;
  }
  if (g.lag_seconds_max && *g.lag_seconds_max > tuning.consumer_lag_seconds) {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format("{} is {} behind (over {}){}", who,
                           Seconds(*g.lag_seconds_max),
                           Seconds(tuning.consumer_lag_seconds), CaveatText(g));
    return;
  }
  if (rates_known) return;
  const GroupRates* r = g.rates ? &*g.rates : nullptr;
  c.reason = fmt::format(
      "{}: {}; rates not known yet ({} of {} sampled), judged by status and "
      "lag age only",
      who, LagText(g), Seconds(r ? r->covered_seconds : 0),
      Seconds(r ? r->window_seconds : ToSecondsD(tuning.consumer_lag_window)));
}

Condition LagCondition(const KafkaObservation& k, const std::string& name,
                       const GroupState& g) {
  Condition c;
  c.check = "consumer_lag";
  c.target = k.cluster + "/" + name;
  c.evidence = {{"status", std::string(ConsumerStatusName(g.status))},
                {"lag_sum", g.lag_sum},
                {"lag_max", g.lag_max},
                {"topics", g.topics}};
  if (g.lag_seconds_max) c.evidence["lag_seconds_max"] = *g.lag_seconds_max;
  if (g.state) c.evidence["state"] = *g.state;
  if (g.members) c.evidence["members"] = *g.members;
  nlohmann::json bad = nlohmann::json::array();
  for (const auto& p : g.partitions) {
    if (!Lagging(p.status) || bad.size() >= 5) continue;
    bad.push_back({{"topic", p.topic},
                   {"partition", p.partition},
                   {"status", std::string(ConsumerStatusName(p.status))},
                   {"lag", p.lag}});
  }
  if (!bad.empty()) c.evidence["partitions"] = std::move(bad);
  if (g.rates) RatesEvidence(*g.rates, c.evidence);
  return c;
}

}  // namespace

// Rates first: they explain a consumer falling behind minutes before the
// status rules (10-minute window) or the lag age (300 s) notice; those
// stay as triggers of their own.
void CheckConsumerLag(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    for (const auto& [name, g] : k->groups) {
      if (!g.configured || g.reprocess_only) continue;
      Condition c = LagCondition(*k, name, g);
      const std::string who = fmt::format("group {} on {}", name, k->cluster);
      if (g.status == ConsumerStatus::kErr) {
        c.unknown = true;
        const Error* e =
            g.error ? &*g.error : (k->error ? &*k->error : nullptr);
        c.reason = fmt::format("offsets of {} unreadable{}", who,
                               e ? ": " + e->code : "");
        out.push_back(std::move(c));
        continue;
      }
      const bool rates_known = g.rates && g.rates->window_covered;
      if (rates_known) JudgeByRates(who, g, *g.rates, tuning, in.now, c);
      if (c.status != CheckStatus::kDegraded) {
        JudgeByStatus(who, g, tuning, rates_known, c);
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
