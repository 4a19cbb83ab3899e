#include <algorithm>
#include <regex>

#include "config/config_sections.h"

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
  return true;
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
      if (v) out->properties[p.key] = Secret(std::move(*v));
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
      if (v) out->properties[p.key] = Secret(std::move(*v));
    }
  }
}

KafkaGroupConfig ParseGroup(ParseContext& ctx, const YAML::Node& node,
                            const std::string& path,
                            std::vector<std::pair<std::string, int>>* names) {
  KafkaGroupConfig g;
  Fields f = Fields::Open(
      ctx, node, path, {"name", "dead_letter_topics", "dlt_reprocess_group"});
  if (!f.valid()) return g;
  // Group ids are free-form in Kafka, so only emptiness and repeats are
  // checked, not the label charset.
  if (f.Require("name") && f.String("name", &g.name)) {
    const YAML::Node& n = f.Find("name")->value;
    auto first = std::find_if(names->begin(), names->end(),
                              [&](const auto& p) { return p.first == g.name; });
    if (g.name.empty()) {
      ctx.Error(n, f.PathOf("name"), "must not be empty");
    } else if (first != names->end()) {
      ctx.Error(n, f.PathOf("name"),
                "duplicate group \"" + g.name + "\" (first at line " +
                    std::to_string(first->second) + ")");
    } else {
      names->emplace_back(g.name, n.Mark().line + 1);
    }
  }
  std::vector<std::string> topics;
  if (f.StringList("dead_letter_topics", &topics)) {
    std::vector<YAML::Node> items;
    f.Sequence("dead_letter_topics", &items);
    for (std::size_t i = 0; i < topics.size(); ++i) {
      if (IsTopicName(topics[i])) {
        g.dead_letter_topics.push_back(topics[i]);
      } else {
        ctx.Error(items[i], IndexPath(f.PathOf("dead_letter_topics"), i),
                  "invalid topic name \"" + topics[i] +
                      "\" (allowed: letters, digits, '.', '_', '-')");
      }
    }
  }
  f.String("dlt_reprocess_group", &g.dlt_reprocess_group);
  return g;
}

KafkaClusterConfig ParseCluster(
    ParseContext& ctx, const YAML::Node& node, const std::string& path,
    const Schedule& defaults, std::vector<std::pair<std::string, int>>* names) {
  KafkaClusterConfig c;
  Fields f = Fields::Open(ctx, node, path,
                          {"name", "brokers", "properties", "properties_files",
                           "groups", "discover_groups", "interval", "timeout"});
  if (!f.valid()) return c;
  c.name = ReadTargetName(f, names);
  std::vector<YAML::Node> brokers;
  if (f.Require("brokers") && f.Sequence("brokers", &brokers)) {
    if (brokers.empty()) {
      ctx.Error(f.Find("brokers")->value, f.PathOf("brokers"),
                "must not be empty");
    }
    for (std::size_t i = 0; i < brokers.size(); ++i) {
      std::optional<HostPort> hp =
          ReadAddress(ctx, brokers[i], IndexPath(f.PathOf("brokers"), i),
                      kDefaultKafkaPort);
      if (hp) c.brokers.push_back(std::move(*hp));
    }
  }
  ParseProperties(f, &c);
  std::vector<YAML::Node> groups;
  if (f.Sequence("groups", &groups)) {
    std::vector<std::pair<std::string, int>> group_names;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      c.groups.push_back(ParseGroup(
          ctx, groups[i], IndexPath(f.PathOf("groups"), i), &group_names));
    }
  }
  if (f.String("discover_groups", &c.discover_groups)) {
    try {
      std::regex re(c.discover_groups, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      ctx.Error(f.Find("discover_groups")->value, f.PathOf("discover_groups"),
                "invalid regex \"" + c.discover_groups + "\": " + e.what());
    }
  }
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
  std::vector<std::pair<std::string, int>> names;
  std::size_t i = 0;
  for (YAML::Node item : node) {
    out.push_back(
        ParseCluster(ctx, item, IndexPath("kafka", i++), defaults, &names));
  }
  return out;
}

}  // namespace failwatch::config_internal
