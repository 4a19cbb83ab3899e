// What the daemon and its Kafka admin worker process (admin_worker.h) say to
// each other, without I/O: length-prefixed frames and their JSON payloads.
//
// A frame is a 4-byte big-endian payload length, then the payload (one JSON
// document). Lengths of 0 or over the decoder's limit are refused, so a
// confused or hostile peer costs at most one bounded buffer. Decoding
// returns errors as values; nothing here trusts the other side.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "kafka/group_discovery.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_options.h"
#include "kafka/kafka_reader.h"
#include "kafka/kafka_types.h"

namespace failwatch {

// Committed offsets of 10k groups × 100 partitions are ~3 MB of JSON;
// 64 MiB leaves room for far bigger clusters and still bounds memory.
inline constexpr std::size_t kAdminMaxFrameBytes = 64u << 20;

std::string EncodeFrame(std::string_view payload);

// Accumulates bytes from a stream and cuts them into frames.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame = kAdminMaxFrameBytes)
      : max_frame_(max_frame) {}
  // Adds bytes; fails (and stays failed) on a length of 0 or over the limit.
  Status Feed(std::string_view bytes);
  // The next complete frame's payload, if one is buffered.
  std::optional<std::string> Next();
  // Bytes of an incomplete frame (a peer that stops mid-frame is truncated).
  std::size_t buffered() const { return buffer_.size() - pos_; }

 private:
  std::size_t max_frame_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::optional<Error> error_;
};

// First message to a new worker: everything it needs to build its handles.
// Property values may be secrets: this travels over the socket only.
struct AdminHello {
  KafkaClusterConfig cluster;  // name, brokers, properties
  KafkaOptions options;        // group discovery fields
  std::string log_level = "info";
};

struct DiscoveryAnswer {
  // nullopt = the view did not change since the previous answer.
  std::optional<DiscoveryView> view;
  std::uint64_t handles_replaced = 0;
  int abandoned_pending = 0;
  bool disabled = false;
};

struct AdminRequest {
  enum class Op { kCommitted, kDiscover };
  std::uint64_t id = 0;
  Op op = Op::kCommitted;
  int timeout_ms = 0;
  // kCommitted
  std::vector<CommittedRequest> requests;
  FetchLimits limits;
  // kDiscover
  std::vector<std::string> groups;
  bool data_ok = true;
};

using CommittedAnswer = std::map<std::string, Result<CommittedOffsets>>;

struct AdminResponse {
  std::uint64_t id = 0;
  std::optional<CommittedAnswer> committed;
  std::optional<DiscoveryAnswer> discovery;
  std::optional<Error> error;  // the worker refused the request
};

std::string EncodeHello(const AdminHello& hello);
Result<AdminHello> DecodeHello(std::string_view payload);
std::string EncodeRequest(const AdminRequest& request);
Result<AdminRequest> DecodeRequest(std::string_view payload);
std::string EncodeResponse(const AdminResponse& response);
Result<AdminResponse> DecodeResponse(std::string_view payload);
// The view part of a discovery answer, so the worker can tell whether it
// changed since its last answer.
std::string EncodeDiscoveryView(const DiscoveryView& view);

}  // namespace failwatch
