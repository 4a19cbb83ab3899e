#include <algorithm>
#include <charconv>

#include "config/config_sections.h"
#include "core/regex.h"
#include "core/utf8.h"
#include "kafka/rdkafka_property_check.h"

namespace failwatch::config_internal {
namespace {

// Kafka's own rule for topic names.
bool IsTopicName(std::string_view s) {
  if (s.empty() || s.size() > 249 || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Brokers come only from `brokers`: a second list could disagree with it.
bool CheckPropertyKey(ParseContext& ctx, const Fields::Entry& e,
                      const std::string& path) {
  if (e.key == "bootstrap.servers" || e.key == "metadata.broker.list") {
    ctx.Error(e.key_node, path, "not allowed in properties; use brokers");
    return false;
  }
  if (e.key == "group.id") {
    ctx.Error(e.key_node, path,
              "not allowed in properties (failwatch joins no group; the "
              "canary names its own)");
    return false;
  }
  return true;
}

// librdkafka's own check (rd_kafka_conf_set on a scratch configuration; no
// client, no connection): an unknown key is reported at the key, a bad
// value at the value (a file's content at the file name).
void CheckPropertyValue(ParseContext& ctx, const Fields::Entry& e,
                        const std::string& path, const std::string& value) {
  if (auto problem = CheckKafkaProperty(e.key, value)) {
    ctx.Error(problem->unknown_key ? e.key_node : e.value, path,
              problem->message);
  }
}

// Values are never echoed in messages: any of them may be a password.
void ParseProperties(const Fields& cluster, KafkaClusterConfig* out) {
  ParseContext& ctx = cluster.ctx();
  if (const Fields::Entry* e = cluster.Find("properties")) {
    Fields props =
        Fields::OpenFreeForm(ctx, e->value, cluster.PathOf("properties"));
    for (const Fields::Entry& p : props.entries()) {
      std::string path = props.PathOf(p.key);
      if (!CheckPropertyKey(ctx, p, path)) continue;
      std::optional<std::string> v = ReadScalar(ctx, p.value, path);
      if (!v) continue;
      CheckPropertyValue(ctx, p, path, *v);
      out->properties[p.key] = Secret(std::move(*v));
    }
  }
  if (const Fields::Entry* e = cluster.Find("properties_files")) {
    Fields files =
        Fields::OpenFreeForm(ctx, e->value, cluster.PathOf("properties_files"));
    for (const Fields::Entry& p : files.entries()) {
      std::string path = files.PathOf(p.key);
      if (!CheckPropertyKey(ctx, p, path)) continue;
      if (out->properties.count(p.key) != 0) {
        ctx.Error(p.key_node, path, "also set in properties");
        continue;
      }
      std::optional<std::string> v = ReadSecretFile(ctx, p.value, path);
      if (!v) continue;
      CheckPropertyValue(ctx, p, path, *v);
      out->properties[p.key] = Secret(std::move(*v));
    }
  }
}

void ReadTopicList(ParseContext& ctx, const Fields& f, const std::string& key,
                   std::vector<std::string>* out) {
  std::vector<std::string> topics;
  if (!f.StringList(key, &topics)) return;
  std::vector<YAML::Node> items;
  f.Sequence(key, &items);
  for (std::size_t i = 0; i < topics.size(); ++i) {
    if (IsTopicName(topics[i])) {
      out->push_back(topics[i]);
    } else {
      ctx.Error(items[i], IndexPath(f.PathOf(key), i),
                "invalid topic name \"" + topics[i] +
                    "\" (allowed: letters, digits, '.', '_', '-')");
    }
  }
}

// Group ids become label values, which must be valid UTF-8.
constexpr char kBadGroupName[] =
    "group name must be valid UTF-8 without control characters (NUL, "
    "newline, ...)";

KafkaGroupConfig ParseGroup(ParseContext& ctx, const YAML::Node& node,
                            const std::string& path, SeenNames* names) {
  KafkaGroupConfig g;
  Fields f = Fields::Open(
      ctx, node, path,
      {"name", "topics", "dead_letter_topics", "dlt_reprocess_group"});
  if (!f.valid()) return g;
  // Group ids are free-form in Kafka, so only emptiness and repeats are
  // checked, not the label charset.
  if (f.Require("name") && f.String("name", &g.name)) {
    const YAML::Node& n = f.Find("name")->value;
    auto first = names->find(g.name);
    if (g.name.empty()) {
      ctx.Error(n, f.PathOf("name"), "must not be empty");
    } else if (!IsPrintableUtf8(g.name)) {
      // Not echoed: the bytes are what is wrong with it.
      ctx.Error(n, f.PathOf("name"), kBadGroupName);
    } else if (first != names->end()) {
      ctx.Error(n, f.PathOf("name"),
                "duplicate group \"" + g.name + "\" (first at line " +
                    std::to_string(first->second) + ")");
    } else {
      names->emplace(g.name, n.Mark().line + 1);
    }
  }
  ReadTopicList(ctx, f, "dead_letter_topics", &g.dead_letter_topics);
  ReadTopicList(ctx, f, "topics", &g.topics);
  if (f.String("dlt_reprocess_group", &g.dlt_reprocess_group) &&
      !IsPrintableUtf8(g.dlt_reprocess_group)) {
    ctx.Error(f.Find("dlt_reprocess_group")->value,
              f.PathOf("dlt_reprocess_group"), kBadGroupName);
  }
  return g;
}

// An integer in [min, max]; reported at the value otherwise.
bool ReadInt(const Fields& f, std::string_view key, std::int64_t min,
             std::int64_t max, std::int64_t* out) {
  const Fields::Entry* e = f.Find(key);
  if (e == nullptr) return false;
  ParseContext& ctx = f.ctx();
  std::optional<std::string> text =
      ReadScalar(ctx, e->value, f.PathOf(key), "an integer");
  if (!text) return false;
  std::int64_t v = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end) {
    ctx.Error(e->value, f.PathOf(key),
              "expected an integer, got \"" + *text + "\"");
    return false;
  }
  if (v < min || v > max) {
    ctx.Error(e->value, f.PathOf(key),
              "must be between " + std::to_string(min) + " and " +
                  std::to_string(max) + ", got " + *text);
    return false;
  }
  *out = v;
  return true;
}

// Compiled once, here: --check-config and a reload refuse a bad pattern,
// and the Kafka collector gets the compiled filter. Empty = no filter;
// long patterns are not echoed.
void ReadRegex(const Fields& f, std::string_view key, OptionalRegex* out) {
  std::string pattern;
  if (!f.String(key, &pattern)) return;
  if (pattern.empty()) {
    out->reset();
    return;
  }
  Result<Regex> re = Regex::Compile(pattern);
  if (re.ok()) {
    *out = std::move(re).value();
    return;
  }
  constexpr std::size_t kMaxEcho = 80;
  std::string shown =
      pattern.size() <= kMaxEcho ? " \"" + pattern + "\"" : std::string();
  f.ctx().Error(f.Find(key)->value, f.PathOf(key),
                "invalid regex" + shown + ": " + re.error().message);
}

// A duration that must be positive (zero would mean "every sample" for the
// intervals and "nothing" for windows; neither is what anyone means).
void ReadPositiveDuration(const Fields& f, std::string_view key, Millis* out) {
  Millis d{};
  if (!f.Duration(key, &d)) return;
  if (d <= Millis(0)) {
    f.ctx().Error(f.Find(key)->value, f.PathOf(key), "must be positive");
    return;
  }
  *out = d;
}

// An integer key within the bounds KafkaTuning declares for it.
template <typename T>
void ReadBounded(const Fields& f, std::string_view key, KafkaTuningBounds b,
                 T* out) {
  std::int64_t v = 0;
  if (ReadInt(f, key, b.min, b.max, &v)) *out = static_cast<T>(v);
}

void ParseDltConventions(const Fields& f, KafkaTuning* t) {
  std::vector<std::string> names;
  if (!f.StringList("dlt_conventions", &names)) return;
  std::vector<YAML::Node> items;
  f.Sequence("dlt_conventions", &items);
  std::vector<DltConvention> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string path = IndexPath(f.PathOf("dlt_conventions"), i);
    const std::optional<DltConvention> known = ParseDltConvention(names[i]);
    if (!known) {
      f.ctx().Error(items[i], path,
                    "unknown convention \"" + names[i] +
                        "\" (expected spring_dlt, retryable_dlt or "
                        "scs_error)");
    } else if (std::find(out.begin(), out.end(), *known) != out.end()) {
      f.ctx().Error(items[i], path,
                    "duplicate convention \"" + names[i] + "\"");
    } else {
      out.push_back(*known);
    }
  }
  // An empty list is valid: only explicit dead_letter_topics count.
  t->dlt_conventions = std::move(out);
}

// kafka[].canary: present = on (unless enabled: false).
void ParseCanary(const Fields& cluster, KafkaCanaryConfig* out) {
  const Fields::Entry* e = cluster.Find("canary");
  if (e == nullptr) return;
  ParseContext& ctx = cluster.ctx();
  Fields f = Fields::Open(ctx, e->value, cluster.PathOf("canary"),
                          {"enabled", "topic", "sla", "create"});
  if (!f.valid()) return;
  out->enabled = true;
  f.Bool("enabled", &out->enabled);
  std::string topic;
  if (f.String("topic", &topic)) {
    if (IsTopicName(topic)) {
      out->topic = topic;
    } else {
      ctx.Error(f.Find("topic")->value, f.PathOf("topic"),
                "invalid topic name \"" + topic +
                    "\" (allowed: letters, digits, '.', '_', '-')");
    }
  }
  ReadPositiveDuration(f, "sla", &out->sla);
  f.Bool("create", &out->create);
}

void ParseTuning(const Fields& f, KafkaTuning* t) {
  ReadPositiveDuration(f, "status_window", &t->status_window);
  ReadPositiveDuration(f, "empty_group_ttl", &t->empty_group_ttl);
  ReadPositiveDuration(f, "discovery_interval", &t->discovery_interval);
  f.Bool("group_discovery", &t->group_discovery);
  // 0 = ask every group about every topic on every sample.
  f.Duration("topic_probe_interval", &t->topic_probe_interval);
  ReadBounded(f, "topic_probe_max_partitions",
              KafkaTuning::kTopicProbeMaxPartitions,
              &t->topic_probe_max_partitions);
  ReadBounded(f, "lag_timestamp_reads", KafkaTuning::kLagTimestampReads,
              &t->lag_timestamp_reads);
  ReadRegex(f, "group_allow", &t->group_allow);
  ReadRegex(f, "group_deny", &t->group_deny);
  ReadRegex(f, "topic_allow", &t->topic_allow);
  ReadRegex(f, "topic_deny", &t->topic_deny);
  f.Bool("per_partition_series", &t->per_partition_series);
  ReadBounded(f, "max_series", KafkaTuning::kMaxSeries, &t->max_series);
  ReadBounded(f, "max_concurrent_group_fetches",
              KafkaTuning::kMaxConcurrentGroupFetches,
              &t->max_concurrent_group_fetches);
  ParseDltConventions(f, t);
  f.Bool("dlt_read_headers", &t->dlt_read_headers);
  ReadBounded(f, "dlt_header_cardinality", KafkaTuning::kDltHeaderCardinality,
              &t->dlt_header_cardinality);
}

void ParseBrokers(const Fields& cluster, KafkaClusterConfig* out) {
  ParseContext& ctx = cluster.ctx();
  std::vector<YAML::Node> brokers;
  if (!cluster.Require("brokers") || !cluster.Sequence("brokers", &brokers)) {
    return;
  }
  if (brokers.empty()) {
    ctx.Error(cluster.Find("brokers")->value, cluster.PathOf("brokers"),
              "must not be empty");
  }
  for (std::size_t i = 0; i < brokers.size(); ++i) {
    std::optional<HostPort> hp =
        ReadAddress(ctx, brokers[i], IndexPath(cluster.PathOf("brokers"), i),
                    kDefaultKafkaPort);
    if (hp) out->brokers.push_back(std::move(*hp));
  }
}

void ParseGroups(const Fields& cluster, KafkaClusterConfig* out) {
  std::vector<YAML::Node> groups;
  if (!cluster.Sequence("groups", &groups)) return;
  SeenNames group_names;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    out->groups.push_back(ParseGroup(cluster.ctx(), groups[i],
                                     IndexPath(cluster.PathOf("groups"), i),
                                     &group_names));
  }
}

KafkaClusterConfig ParseCluster(ParseContext& ctx, const YAML::Node& node,
                                const std::string& path,
                                const Schedule& defaults, SeenNames* names) {
  KafkaClusterConfig c;
  Fields f = Fields::Open(ctx, node, path,
                          {"name",
                           "brokers",
                           "properties",
                           "properties_files",
                           "groups",
                           "discover_groups",
                           "interval",
                           "timeout",
                           "status_window",
                           "empty_group_ttl",
                           "discovery_interval",
                           "group_discovery",
                           "topic_probe_interval",
                           "topic_probe_max_partitions",
                           "lag_timestamp_reads",
                           "group_allow",
                           "group_deny",
                           "topic_allow",
                           "topic_deny",
                           "per_partition_series",
                           "max_series",
                           "max_concurrent_group_fetches",
                           "dlt_conventions",
                           "dlt_read_headers",
                           "dlt_header_cardinality",
                           "canary"});
  if (!f.valid()) return c;
  c.name = ReadTargetName(f, names);
  ParseBrokers(f, &c);
  ParseProperties(f, &c);
  ParseGroups(f, &c);
  ReadRegex(f, "discover_groups", &c.discover_groups);
  ParseTuning(f, &c.tuning);
  ParseCanary(f, &c.canary);
  c.schedule = ReadSchedule(f, defaults, "inherited");
  return c;
}

}  // namespace

std::vector<KafkaClusterConfig> ParseKafka(ParseContext& ctx,
                                           const YAML::Node& node,
                                           const Schedule& defaults) {
  std::vector<KafkaClusterConfig> out;
  if (!node.IsSequence()) {
    ctx.Error(node, "kafka", "expected a sequence, got " + KindName(node));
    return out;
  }
  SeenNames names;
  std::size_t i = 0;
  for (YAML::Node item : node) {
    out.push_back(
        ParseCluster(ctx, item, IndexPath("kafka", i++), defaults, &names));
  }
  return out;
}

}  // namespace failwatch::config_internal
