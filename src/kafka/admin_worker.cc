#include "kafka/admin_worker.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/io_clock.h"
#include "kafka/admin_socket.h"
#include "kafka/admin_wire.h"
#include "kafka/group_discovery.h"
#include "kafka/kafka_reader.h"
#include "kafka/rdkafka_handle.h"

namespace failwatch {
namespace {

void SetUpLogging(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>(
      "failwatch-kafka-admin",
      std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l worker=kafka_admin %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// The socket's EOF ends the worker between requests; during a request that
// a wedged librdkafka never finishes, this does.
void ExitWithParent() {
  const pid_t parent = ::getppid();
  std::thread([parent] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (::getppid() != parent) std::_Exit(0);
    }
  }).detach();
}

class Worker {
 public:
  explicit Worker(AdminHello hello)
      : cluster_(std::move(hello.cluster)),
        discovery_(cluster_, hello.options) {}

  AdminResponse Serve(const AdminRequest& req) {
    AdminResponse resp;
    resp.id = req.id;
    const SteadyTime deadline = IoClock().Steady() + Millis(req.timeout_ms);
    if (req.op == AdminRequest::Op::kCommitted) {
      resp.committed = Committed(req, deadline);
    } else {
      resp.discovery = Discover(req, deadline);
    }
    return resp;
  }

 private:
  CommittedAnswer Committed(const AdminRequest& req, SteadyTime deadline) {
    if (!data_) {
      auto h = CreateHandle(cluster_, HandleRole::kData);
      if (!h.ok()) {
        CommittedAnswer out;
        for (const auto& r : req.requests) out.emplace(r.group, h.error());
        return out;
      }
      data_ = std::move(h).value();
    }
    return ReadCommittedOffsets(data_.get(), req.requests, req.limits,
                                deadline);
  }

  DiscoveryAnswer Discover(const AdminRequest& req, SteadyTime deadline) {
    discovery_.Run(req.groups, req.data_ok, IoClock().Steady(), deadline);
    DiscoveryAnswer a;
    std::string encoded = EncodeDiscoveryView(discovery_.view());
    if (encoded != last_view_) {
      a.view = discovery_.view();
      last_view_ = std::move(encoded);
    }
    a.handles_replaced = discovery_.handles_replaced();
    a.abandoned_pending = discovery_.abandoned_pending();
    a.disabled = discovery_.disabled();
    return a;
  }

  KafkaClusterConfig cluster_;
  RdKafkaPtr data_;
  GroupDiscovery discovery_;
  std::string last_view_;
};

}  // namespace

std::optional<int> MaybeRunKafkaAdminWorker(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], kAdminWorkerFlag) != 0) {
    return std::nullopt;
  }
  return RunKafkaAdminWorker(0);
}

int RunKafkaAdminWorker(int fd) {
  ExitWithParent();
  const auto forever = IoClock().Steady() + std::chrono::hours(24 * 365);
  FrameDecoder decoder;
  auto first = ReadFrame(fd, decoder, forever);
  if (!first.ok()) std::_Exit(1);
  auto hello = DecodeHello(first.value());
  if (!hello.ok()) std::_Exit(2);
  SetUpLogging(hello.value().log_level);
  Worker worker(std::move(hello).value());
  for (;;) {
    auto frame = ReadFrame(fd, decoder, forever);
    if (!frame.ok()) break;  // the daemon closed the socket (or garbled it)
    auto req = DecodeRequest(frame.value());
    if (!req.ok()) {
      spdlog::error("kafka admin worker: bad request error=\"{}\"",
                    req.error().ToString());
      std::_Exit(2);
    }
    const AdminResponse resp = worker.Serve(req.value());
    std::string payload = EncodeResponse(resp);
    if (payload.size() > kAdminMaxFrameBytes) {
      AdminResponse too_big;
      too_big.id = resp.id;
      too_big.error = MakeError(ErrorKind::kInternal, "admin_answer_too_big",
                                "kafka admin worker: answer of " +
                                    std::to_string(payload.size()) +
                                    " bytes is over the frame limit");
      payload = EncodeResponse(too_big);
    }
    // The daemon reads until its own deadline; a reply it no longer waits
    // for makes it restart this worker anyway.
    if (!WriteFrame(fd, payload, IoClock().Steady() + std::chrono::seconds(30))
             .ok()) {
      break;
    }
  }
  // No rd_kafka_destroy: a wedged handle's never returns.
  std::_Exit(0);
}

}  // namespace failwatch
