// Checks one librdkafka property the way librdkafka itself will, without
// creating a client (no threads, no connection): rd_kafka_conf_set on a
// scratch configuration. For the config loader, so --check-config and a
// reload refuse an unknown key or a bad value with the file position.
#pragma once

#include <optional>
#include <string>

namespace failwatch {

struct KafkaPropertyProblem {
  bool unknown_key = false;  // else the value is bad
  // Never holds the value (it may be a password): librdkafka's own text
  // quotes it, so it is redacted here.
  std::string message;
};

// What is wrong with `key: value`, or nullopt if librdkafka accepts it.
std::optional<KafkaPropertyProblem> CheckKafkaProperty(
    const std::string& key, const std::string& value);

}  // namespace failwatch
