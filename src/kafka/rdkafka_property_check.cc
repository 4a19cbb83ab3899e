#include "kafka/rdkafka_property_check.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string_view>

namespace failwatch {
namespace {

struct ConfDestroy {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};

void ReplaceAll(std::string& s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t pos = s.find(what); pos != std::string::npos;
       pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
}

// "value -123 is" -> "value is".
void DropNumberAfter(std::string& s, std::string_view prefix) {
  for (std::size_t pos = s.find(prefix); pos != std::string::npos;
       pos = s.find(prefix, pos + prefix.size())) {
    std::size_t end = pos + prefix.size();
    if (end < s.size() && s[end] == '-') ++end;
    const std::size_t digits = end;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    if (end > digits && end < s.size() && s[end] == ' ') {
      s.erase(pos + prefix.size(), end + 1 - (pos + prefix.size()));
    }
  }
}

// librdkafka's message with the value taken out. It quotes enum values
// literally ("Invalid value \"x\" for ...") and integers after parsing them
// ("value 1215752191 is outside allowed range 10..300000"), so both the
// literal and any "value <number>" go.
std::string Redact(std::string text, const std::string& value) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  DropNumberAfter(text, "value ");
  ReplaceAll(text, "\"" + value + "\" ", "");
  ReplaceAll(text, value, "<redacted>");
  return text;
}

}  // namespace

std::optional<KafkaPropertyProblem> CheckKafkaProperty(
    const std::string& key, const std::string& value) {
  // Known to every librdkafka; setting it would load the plugins now.
  if (key == "plugin.library.paths") return std::nullopt;
  std::unique_ptr<rd_kafka_conf_t, ConfDestroy> conf(rd_kafka_conf_new());
  char errstr[512] = "";
  rd_kafka_conf_res_t res = rd_kafka_conf_set(conf.get(), key.c_str(),
                                              value.c_str(), errstr,
                                              sizeof(errstr));
  switch (res) {
    case RD_KAFKA_CONF_OK:
      return std::nullopt;
    case RD_KAFKA_CONF_UNKNOWN:
      return KafkaPropertyProblem{true, "unknown librdkafka property"};
    default:
      return KafkaPropertyProblem{
          false,
          "librdkafka rejects the value (not shown): " + Redact(errstr, value)};
  }
}

}  // namespace failwatch
