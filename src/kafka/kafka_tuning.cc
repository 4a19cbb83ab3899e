#include "kafka/kafka_tuning.h"

namespace failwatch {

OptionalRegex DefaultTopicDeny() {
  // A constant pattern: it compiles (kafka_tuning_test checks it).
  static const OptionalRegex kDeny = [] {
    Result<Regex> re = Regex::Compile("__.*");
    return re.ok() ? OptionalRegex(std::move(re).value()) : OptionalRegex();
  }();
  return kDeny;
}

}  // namespace failwatch
